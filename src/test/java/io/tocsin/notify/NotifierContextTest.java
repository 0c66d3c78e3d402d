package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class NotifierContextTest {
  @Test
  void lazyHttp_buildsNoClientUntilAChannelAsks_andTheSameOneAfter() {
    AtomicInteger built = new AtomicInteger();
    NotifierContext context = new NotifierContext(Clock.systemUTC(), Path.of("state"), null, "http://tocsin.example",
        NotifierContext.lazyHttp(() -> {
          built.incrementAndGet();
          return HttpClient.newHttpClient();
        }), Duration.ofSeconds(5));
    NotifierContext channel = context.forChannel(Path.of("state", "hook"));

    assertThat(built).hasValue(0);
    HttpClient first = channel.http();
    assertThat(context.http()).isSameAs(first);
    assertThat(channel.http()).isSameAs(first);
    assertThat(built).hasValue(1);
  }

  @Test
  void lazyHttp_channelsAskingAtOnce_shareOneClient() throws Exception {
    AtomicInteger built = new AtomicInteger();
    Supplier<HttpClient> http = NotifierContext.lazyHttp(() -> {
      built.incrementAndGet();
      return HttpClient.newHttpClient();
    });
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    ConcurrentHashMap.KeySetView<HttpClient, Boolean> seen = ConcurrentHashMap.newKeySet();
    for (int i = 0; i < 8; i++) {
      Thread thread = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        seen.add(http.get());
      });
      thread.start();
      threads.add(thread);
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(seen).hasSize(1);
    assertThat(built).hasValue(1);
  }
}
