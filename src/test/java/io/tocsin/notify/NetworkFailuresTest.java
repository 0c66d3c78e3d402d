package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The words a channel failure is told in; the notifier tests check them against real connections too. */
class NetworkFailuresTest {
  private static final String WHERE = "hooks.example.com:443";

  @Test
  void hostAndPort_isTheSchemesDefaultPort_andNeverThePathOrCredentials() {
    assertThat(NetworkFailures.hostAndPort(URI.create("https://user:pw@hooks.example.com/services/T/B/secret")))
        .isEqualTo("hooks.example.com:443");
    assertThat(NetworkFailures.hostAndPort(URI.create("http://127.0.0.1/hook"))).isEqualTo("127.0.0.1:80");
    assertThat(NetworkFailures.hostAndPort(URI.create("http://127.0.0.1:9/hook"))).isEqualTo("127.0.0.1:9");
  }

  @Test
  void describe_namesWhatHappened() {
    Duration tenSeconds = Duration.ofSeconds(10);
    assertThat(NetworkFailures.describe(new ConnectException(), WHERE, tenSeconds))
        .isEqualTo("connection refused by hooks.example.com:443");
    assertThat(NetworkFailures.describe(new IOException("wrapped", new ConnectException("Connection refused")), WHERE,
        tenSeconds)).isEqualTo("connection refused by hooks.example.com:443");
    assertThat(NetworkFailures.describe(new ConnectException("Network is unreachable"), WHERE, tenSeconds))
        .isEqualTo("could not connect to hooks.example.com:443: Network is unreachable");
    assertThat(NetworkFailures.describe(new HttpConnectTimeoutException("HTTP connect timed out"), WHERE, tenSeconds))
        .isEqualTo("could not connect to hooks.example.com:443 within 10s (connection timed out)");
    assertThat(NetworkFailures.describe(new UnknownHostException("hooks.example.com"), WHERE, tenSeconds))
        .isEqualTo("unknown host: cannot resolve hooks.example.com");
    assertThat(NetworkFailures.describe(new SSLHandshakeException("PKIX path building failed"), WHERE, tenSeconds))
        .isEqualTo("TLS with hooks.example.com:443 failed: PKIX path building failed");
    assertThat(NetworkFailures.describe(new EOFException(), WHERE, null))
        .isEqualTo("hooks.example.com:443 closed the connection without an answer");
    assertThat(NetworkFailures.describe(new IOException("stream was reset: PROTOCOL_ERROR"), WHERE, null))
        .isEqualTo("network error talking to hooks.example.com:443 (IOException: stream was reset: PROTOCOL_ERROR)");
  }
}
