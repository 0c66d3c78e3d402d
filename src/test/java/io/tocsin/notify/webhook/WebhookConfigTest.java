package io.tocsin.notify.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WebhookConfigTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      url missing                 | {name: h, type: webhook}                                                                   | r.yml:2:5: channel "h" (webhook) needs url, e.g. https://hooks.example.com/tocsin
      url not http                | {name: h, type: webhook, url: "ftp://files.example.com/x"}                                 | r.yml:2:35: url of channel "h" must be an http:// or https:// URL
      url and api_url             | {name: h, type: webhook, url: "https://a.example", api_url: "https://b.example"}           | r.yml:2:65: api_url of channel "h" is another name for url; give only one of them
      username without password   | {name: h, type: webhook, url: "https://a.example", username: u}                            | r.yml:2:66: username of channel "h" needs a password as well
      password without username   | {name: h, type: webhook, url: "https://a.example", password: p}                            | r.yml:2:66: password of channel "h" needs a username as well
      basic and bearer            | {name: h, type: webhook, url: "https://a.example", username: u, password: p, bearer_token: t} | r.yml:2:96: bearer_token of channel "h" cannot be used together with username and password; give one of them
      empty bearer token          | {name: h, type: webhook, url: "https://a.example", bearer_token: ""}                      | r.yml:2:70: bearer_token of channel "h" must not be empty
      headers not a mapping       | {name: h, type: webhook, url: "https://a.example", headers: [X-A]}                         | r.yml:2:65: headers of channel "h" must be a mapping, got a list
      header name with a space    | {name: h, type: webhook, url: "https://a.example", headers: {"X A": b}}                    | r.yml:2:65: headers of channel "h" has an invalid header name "X A"
      Host header                 | {name: h, type: webhook, url: "https://a.example", headers: {Host: b.example}}             | r.yml:2:65: headers of channel "h" must not set Host: Tocsin sets it
      Content-Type header         | {name: h, type: webhook, url: "https://a.example", headers: {content-type: text/plain}}     | r.yml:2:65: headers of channel "h" must not set content-type: Tocsin sets it
      Authorization and bearer    | {name: h, type: webhook, url: "https://a.example", headers: {Authorization: x}, bearer_token: t} | r.yml:2:65: headers of channel "h" must not set Authorization when username, bearer_token or credentials in the URL are given
      URL credentials and bearer  | {name: h, type: webhook, url: "https://u:p@a.example", bearer_token: t}                    | r.yml:2:35: url of channel "h" carries credentials (user:password@); do not also give username, password or bearer_token
      """)
  void parse_invalidSettings_reportsPositionedError(String what, String channel, String expected) {
    assertThat(ChannelYaml.errors("- " + channel)).isEqualTo(expected);
  }

  @Test
  void parse_validSettings_reportsNothing() {
    assertThat(ChannelYaml.errors("""
        - name: h
          type: webhook
          url: https://hooks.example.com/tocsin
          headers: {X-Scope-OrgID: team-a}
          username: tocsin
          password: pw
          send_resolved: false""")).isEmpty();
  }
}
