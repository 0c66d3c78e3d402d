package io.tocsin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tocsin.channels.Channels;
import io.tocsin.config.ServerConfig;
import io.tocsin.config.ServerConfigLoader;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.rulefiles.RuleSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Docker cannot run here, so the packaging files are checked for what can be checked: they parse,
 * every file they name exists, the container config and rules load, and the collector sends to
 * the service and port the compose file gives Tocsin.
 */
class DeployFilesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void composeFile_namesOnlyFilesThatExist() throws Exception {
    JsonNode compose = YAML.readTree(Path.of("docker-compose.yml").toFile());

    assertThat(compose.get("services").fieldNames()).toIterable()
        .containsExactlyInAnyOrder("tocsin", "redis", "otel-collector", "mailpit");
    assertThat(Path.of(compose.at("/services/tocsin/build").asText(), "Dockerfile")).exists();
    List<String> mounts = new ArrayList<>();
    compose.get("services").forEach(service -> service.path("volumes").forEach(v -> mounts.add(v.asText())));
    List<String> bindSources = mounts.stream().filter(m -> m.startsWith("./")).map(m -> m.split(":")[0]).toList();
    assertThat(bindSources).containsExactlyInAnyOrder("./deploy/compose/rules", "./deploy/compose/otel-collector.yaml");
    bindSources.forEach(source -> assertThat(Path.of(source)).exists());
    assertThat(compose.at("/services/tocsin/ports").toString()).contains("4317:4317");
  }

  @Test
  void dockerfile_copiesFilesThatExist_runsAsNonRoot_andChecksHealth() throws Exception {
    String dockerfile = Files.readString(Path.of("Dockerfile"));
    Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(\\S+) ").matcher(dockerfile);
    int copies = 0;
    while (copy.find()) {
      assertThat(Path.of(copy.group(1))).as("COPY source").exists();
      copies++;
    }
    assertThat(copies).isEqualTo(4);
    assertThat(dockerfile).contains("USER tocsin").contains("HEALTHCHECK").contains("/-/healthy");
  }

  @Test
  void containerConfig_loads_andTheComposeRulesAreValid() throws Exception {
    Map<String, String> env = Map.of("SMTP_HOST", "mailpit", "SMTP_PORT", "1025");
    ServerConfig config = new ServerConfigLoader(env::get).load(Path.of("deploy/tocsin.yml"));
    assertThat(config.smtp().host()).isEqualTo("mailpit");
    assertThat(config.smtp().port()).isEqualTo(1025);
    assertThat(config.ruleFiles()).containsExactly("/etc/tocsin/rules/*.yml");

    RuleSet rules = new RuleFiles(env::get, Channels::check).load(
        RuleFiles.expand(List.of(Path.of("deploy/compose/rules"))));
    assertThat(rules.monitors()).extracting(m -> m.name())
        .containsExactly("Redis is down", "Redis read hit rate < 75%", "Redis memory above 512 MiB");
    assertThat(rules.channels()).extracting(c -> c.name()).containsExactly("log", "ops-mail");
  }

  @Test
  void collector_exportsToTocsinsGrpcPort_throughComponentsItDefines() throws Exception {
    JsonNode collector = YAML.readTree(Path.of("deploy/compose/otel-collector.yaml").toFile());
    JsonNode pipeline = collector.at("/service/pipelines/metrics");

    assertThat(collector.at("/exporters/otlp~1tocsin/endpoint").asText()).isEqualTo("tocsin:4317");
    for (String kind : List.of("receivers", "processors", "exporters")) {
      pipeline.get(kind).forEach(name -> assertThat(collector.get(kind).has(name.asText()))
          .as(kind + " " + name.asText()).isTrue());
    }
  }
}
