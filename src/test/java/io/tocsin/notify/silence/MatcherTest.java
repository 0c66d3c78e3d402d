package io.tocsin.notify.silence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tocsin.notify.silence.Matcher.Operator;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MatcherTest {
  private static boolean matches(String matcher, Map<String, String> labels) {
    return Matcher.parse(matcher).matches(labels);
  }

  @Test
  void equal_matchesOnlyTheSameValue() {
    assertThat(matches("node=\"n1\"", Map.of("node", "n1"))).isTrue();
    assertThat(matches("node=\"n1\"", Map.of("node", "n10"))).isFalse();
    assertThat(matches("node=\"n1\"", Map.of("node", "N1"))).isFalse();
    assertThat(matches("node=\"n1\"", Map.of("host", "n1"))).isFalse();
  }

  @Test
  void notEqual_matchesEveryOtherValue() {
    assertThat(matches("node!=\"n1\"", Map.of("node", "n2"))).isTrue();
    assertThat(matches("node!=\"n1\"", Map.of("node", "n1"))).isFalse();
  }

  @Test
  void regex_isAnchoredAtBothEnds() {
    assertThat(matches("node=~\"n[12]\"", Map.of("node", "n1"))).isTrue();
    assertThat(matches("node=~\"n[12]\"", Map.of("node", "n2"))).isTrue();
    assertThat(matches("node=~\"n[12]\"", Map.of("node", "n10"))).isFalse();
    assertThat(matches("node=~\"n[12]\"", Map.of("node", "xn1"))).isFalse();
    assertThat(matches("node=~\"n.*\"", Map.of("node", "n10"))).isTrue();
  }

  @Test
  void regex_alternationIsAnchoredAsAWhole() {
    // Not ^n1|n2$, which would match "n1x" and "xn2".
    assertThat(matches("node=~\"n1|n2\"", Map.of("node", "n1x"))).isFalse();
    assertThat(matches("node=~\"n1|n2\"", Map.of("node", "xn2"))).isFalse();
    assertThat(matches("node=~\"n1|n2\"", Map.of("node", "n2"))).isTrue();
  }

  @Test
  void notRegex_matchesWhatTheAnchoredRegexDoesNot() {
    assertThat(matches("node!~\"n[12]\"", Map.of("node", "n10"))).isTrue();
    assertThat(matches("node!~\"n[12]\"", Map.of("node", "n3"))).isTrue();
    assertThat(matches("node!~\"n[12]\"", Map.of("node", "n1"))).isFalse();
  }

  @Test
  void absentLabel_isTheEmptyString() {
    Map<String, String> none = Map.of("node", "n1");
    assertThat(matches("zone=\"\"", none)).isTrue();
    assertThat(matches("zone!=\"\"", none)).isFalse();
    assertThat(matches("zone=\"eu\"", none)).isFalse();
    assertThat(matches("zone!=\"eu\"", none)).isTrue();
    assertThat(matches("zone=~\"eu.*\"", none)).isFalse();
    assertThat(matches("zone!~\"eu.*\"", none)).isTrue();
    assertThat(matches("zone=~\".*\"", none)).isTrue();
    assertThat(matches("zone=~\".+\"", none)).isFalse();
  }

  @Test
  void monitor_isTheMonitorNameLikeAlertname() {
    Map<String, String> labels = Map.of("alertname", "Shard is down", "node", "n1");
    assertThat(matches("monitor=\"Shard is down\"", labels)).isTrue();
    assertThat(matches("alertname=\"Shard is down\"", labels)).isTrue();
    assertThat(matches("monitor=~\"Shard.*\"", labels)).isTrue();
    assertThat(matches("monitor=\"Disk is full\"", labels)).isFalse();
    assertThat(matches("monitor!=\"Shard is down\"", labels)).isFalse();
  }

  @Test
  void of_buildsEachOperatorFromTheV2Flags() {
    assertThat(Operator.of(false, true)).isEqualTo(Operator.EQUAL);
    assertThat(Operator.of(false, false)).isEqualTo(Operator.NOT_EQUAL);
    assertThat(Operator.of(true, true)).isEqualTo(Operator.REGEX);
    assertThat(Operator.of(true, false)).isEqualTo(Operator.NOT_REGEX);
    Matcher m = Matcher.of("node", Operator.NOT_REGEX, "n.");
    assertThat(m.isRegex()).isTrue();
    assertThat(m.isEqual()).isFalse();
    assertThat(m).isEqualTo(Matcher.parse("node!~\"n.\"")).hasSameHashCodeAs(Matcher.parse("node !~ n."));
  }

  @Test
  void invalidRegex_isRejectedWithWhereAndWhy() {
    assertThatThrownBy(() -> Matcher.of("node", Operator.REGEX, "n[12"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid regular expression \"n[12\" for label \"node\": missing closing ] at character 2");
    assertThatThrownBy(() -> Matcher.of("node", Operator.NOT_REGEX, "a)|(b"))
        .hasMessage("invalid regular expression \"a)|(b\" for label \"node\": unexpected ): no group to close at character 2");
  }

  @Test
  void invalidName_isRejected() {
    assertThatThrownBy(() -> Matcher.of("1node", Operator.EQUAL, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid label name \"1node\": use letters, digits and _, not starting with a digit");
    assertThatThrownBy(() -> Matcher.of("", Operator.EQUAL, "x"))
        .hasMessage("invalid label name \"\": use letters, digits and _, not starting with a digit");
  }

  @Test
  void parse_readsEachOperatorWithQuotedOrBareValues() {
    assertThat(Matcher.parse("node=\"n1\"")).isEqualTo(Matcher.of("node", Operator.EQUAL, "n1"));
    assertThat(Matcher.parse("node!=n1")).isEqualTo(Matcher.of("node", Operator.NOT_EQUAL, "n1"));
    assertThat(Matcher.parse(" node =~ \"n[12]\" ")).isEqualTo(Matcher.of("node", Operator.REGEX, "n[12]"));
    assertThat(Matcher.parse("node!~n\\d+")).isEqualTo(Matcher.of("node", Operator.NOT_REGEX, "n\\d+"));
    assertThat(Matcher.parse("monitor=Shard is down")).isEqualTo(Matcher.of("monitor", Operator.EQUAL, "Shard is down"));
    assertThat(Matcher.parse("zone=\"\"")).isEqualTo(Matcher.of("zone", Operator.EQUAL, ""));
    assertThat(Matcher.parse("msg=\"say \\\"hi\\\" \\\\ \\d\"").value()).isEqualTo("say \"hi\" \\ \\d");
  }

  @Test
  void toString_isTheTextFormAndParsesBack() {
    Matcher m = Matcher.of("msg", Operator.REGEX, "a\"b\\d");
    assertThat(m).hasToString("msg=~\"a\\\"b\\\\d\"");
    assertThat(Matcher.parse(m.toString())).isEqualTo(m);
  }

  @Test
  void parse_badText_saysWhatIsExpected() {
    String expected = ": expected a label name, an operator (=, !=, =~, !~) and a value, e.g. node=~\"n[12]\"";
    assertThatThrownBy(() -> Matcher.parse("node")).hasMessage("cannot parse matcher 'node'" + expected);
    assertThatThrownBy(() -> Matcher.parse("node~n1")).hasMessage("cannot parse matcher 'node~n1'" + expected);
    assertThatThrownBy(() -> Matcher.parse("=n1")).hasMessage("cannot parse matcher '=n1'" + expected);
    assertThatThrownBy(() -> Matcher.parse("node=\"n1"))
        .hasMessage("cannot parse matcher 'node=\"n1': the value has no closing quote");
    assertThatThrownBy(() -> Matcher.parse("node=\"n1\"x"))
        .hasMessage("cannot parse matcher 'node=\"n1\"x': text after the closing quote");
    assertThatThrownBy(() -> Matcher.parse("node=n\"1"))
        .hasMessage("cannot parse matcher 'node=n\"1': a value with \" must be quoted");
    assertThatThrownBy(() -> Matcher.parse("nö=1"))
        .hasMessage("invalid label name \"nö\": use letters, digits and _, not starting with a digit");
  }
}
