package io.tocsin.notify.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * A real HTTP server on loopback standing in for a webhook receiver or an Alertmanager: records
 * every request and answers what the test tells it to.
 */
public final class RecordingReceiver implements AutoCloseable {
  /** One request as it arrived; header names in lower case; the query as sent, or null. */
  public record Request(String method, String path, String query, Map<String, String> headers, String body) {}

  /** {@code echo}: the body is the request itself, as services that quote it in errors do. */
  private record Answer(int status, String body, Map<String, String> headers, boolean echo) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile Answer answer = new Answer(200, "", Map.of(), false);
  /** Answers for the next requests, one each, before {@link #answer} takes over again. */
  private final Queue<Answer> next = new ConcurrentLinkedQueue<>();
  private volatile boolean hold;
  private final Javalin app;

  private RecordingReceiver(String... paths) {
    this.app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      for (String path : paths) {
        config.routes.post(path, this::handle);
        config.routes.put(path, this::handle);
      }
    }).start("127.0.0.1", 0);
  }

  /** A receiver answering 200 to POSTs (and PUTs) on {@code paths}. */
  public static RecordingReceiver start(String... paths) {
    return new RecordingReceiver(paths);
  }

  private void handle(Context ctx) throws InterruptedException {
    Map<String, String> headers = new TreeMap<>();
    ctx.headerMap().forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), value));
    requests.add(new Request(ctx.method().name(), ctx.path(), ctx.queryString(), headers, ctx.body()));
    if (hold) {
      release.await(30, TimeUnit.SECONDS);
    }
    Answer queued = next.poll();
    Answer a = queued != null ? queued : answer;
    a.headers().forEach(ctx::header);
    ctx.status(a.status()).result(a.echo() ? echo(ctx, headers) : a.body());
  }

  private static String echo(Context ctx, Map<String, String> headers) {
    StringBuilder echo = new StringBuilder("unauthorized request: ").append(ctx.method().name()).append(' ')
        .append(ctx.fullUrl()).append('\n');
    headers.forEach((name, value) -> echo.append(name).append(": ").append(value).append('\n'));
    return echo.append('\n').append(ctx.body()).toString();
  }

  /** From now on, answer with this status, body and headers. */
  public void answer(int status, String body, Map<String, String> headers) {
    answer = new Answer(status, body, headers, false);
  }

  /** Answers the next request (after those queued before) with this status, body and headers. */
  public void answerNext(int status, String body, Map<String, String> headers) {
    next.add(new Answer(status, body, headers, false));
  }

  /** From now on, answer with this status and the request itself: method, URL, headers and body. */
  public void echo(int status) {
    answer = new Answer(status, "", Map.of(), true);
  }

  /** From now on, do not answer until {@link #close}: a receiver that hangs. */
  public void hold() {
    hold = true;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + app.port() + path;
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** The bodies of all requests so far, in arrival order, as JSON. */
  public List<JsonNode> jsonBodies() {
    return IntStream.range(0, requests.size()).mapToObj(this::json).toList();
  }

  /** The body of request {@code i} (in arrival order) as JSON. */
  public JsonNode json(int i) {
    try {
      return JSON.readTree(requests.get(i).body());
    } catch (JsonProcessingException e) {
      throw new AssertionError("request " + i + " is not JSON: " + requests.get(i).body(), e);
    }
  }

  @Override
  public void close() {
    release.countDown();
    app.stop();
  }
}
