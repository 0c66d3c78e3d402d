package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.yaml.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every form a request carries a secret in comes out of an answer that echoes it. */
class RedactorTest {
  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void redact_takesOutAUrlsPathQueryTokensAndUserInfo() {
    Redactor redactor = Redactor.of(List.of(
        Secret.of("https://bob:p%40ss%2Fw0rd@hooks.example.com/webhooks/T0KEN1234?key=k3y%2Bvalue&team=ops")));

    assertThat(redactor.redact("POST /webhooks/T0KEN1234?key=k3y%2Bvalue&team=ops HTTP/1.1"))
        .isEqualTo("POST <redacted> HTTP/1.1");
    assertThat(redactor.redact("unknown token T0KEN1234 for webhooks")).isEqualTo("unknown token <redacted> for webhooks");
    assertThat(redactor.redact("bad key k3y+value, k3y%2Bvalue")).isEqualTo("bad key <redacted>, <redacted>");
    assertThat(redactor.redact("user bob:p@ss/w0rd, password p@ss/w0rd, " + base64("bob:p@ss/w0rd")))
        .isEqualTo("user <redacted>, password <redacted>, <redacted>");
  }

  @Test
  void redact_takesOutAuthorizationValuesAndTheirParts() {
    Redactor redactor = Redactor.of(List.of(Secret.of("Bearer tok-3n.abc"),
        Secret.of("Basic " + base64("alice:s3cret-pw"))));

    assertThat(redactor.redact("authorization: Bearer tok-3n.abc; token tok-3n.abc"))
        .isEqualTo("authorization: <redacted>; token <redacted>");
    assertThat(redactor.redact("Basic " + base64("alice:s3cret-pw") + " is alice:s3cret-pw, password s3cret-pw"))
        .isEqualTo("<redacted> is <redacted>, password <redacted>");
  }

  @Test
  void redact_takesOutPercentAndJsonEncodedForms() {
    Redactor redactor = Redactor.of(List.of(Secret.of("a/b \"c\"=d")));

    assertThat(redactor.redact("a%2Fb+%22c%22%3Dd a%2Fb%20%22c%22%3Dd a%2fb+%22c%22%3dd {\"v\":\"a\\/b \\\"c\\\"=d\"}"))
        .isEqualTo("<redacted> <redacted> <redacted> {\"v\":\"<redacted>\"}");
  }

  @Test
  void redact_ofAShortenedDetail_takesOutTheStartOfASecretItWasCutIn() {
    Redactor redactor = Redactor.of(List.of(Secret.of("HeaderValueSecret42")));
    String cut = Delivery.ofHttp(400, "x".repeat(290) + " HeaderValueSecret42", null).detail();

    assertThat(cut).endsWith(" HeaderVal…");
    assertThat(redactor.redact(cut)).endsWith(" <redacted>…").doesNotContain("HeaderVal");
  }

  @Test
  void redact_leavesVeryShortSecretsAndOtherTextAlone() {
    Redactor redactor = Redactor.of(List.of(Secret.of("abc"), Secret.NONE));

    assertThat(redactor.redact("abc and more")).isEqualTo("abc and more");
    assertThat(redactor.redact(null)).isNull();
  }
}
