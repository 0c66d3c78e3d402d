package io.tocsin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tocsin.bench.VersusBenchmark;
import io.tocsin.channels.Channels;
import io.tocsin.config.ServerConfig;
import io.tocsin.config.ServerConfigLoader;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.rulefiles.RuleSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Docker and Kubernetes cannot run here, so the packaging files are checked for what can be
 * checked: they parse, every file they name exists, the container configs and rules load, the
 * collectors send to the services and ports the compose files give Tocsin (to every replica in the
 * high-availability ones), and the Kubernetes objects refer to each other by the right names.
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

  private static final Path HA = Path.of("deploy/compose/ha");
  private static final Path KUBERNETES = Path.of("deploy/kubernetes");
  private static final List<String> REPLICAS = List.of("tocsin-1", "tocsin-2", "tocsin-3");

  @Test
  void haComposeFile_runsThreeReplicas_eachWithItsOwnAddressAndDataVolume() throws Exception {
    JsonNode compose = YAML.readTree(HA.resolve("compose.yml").toFile());
    JsonNode services = compose.get("services");

    assertThat(services.fieldNames()).toIterable()
        .containsExactlyInAnyOrder("tocsin-1", "tocsin-2", "tocsin-3", "redis", "otel-collector", "mailpit");
    List<String> dataVolumes = new ArrayList<>();
    for (String name : REPLICAS) {
      JsonNode replica = services.get(name);
      assertThat(HA.resolve(replica.get("build").asText()).resolve("Dockerfile")).exists();
      assertThat(replica.get("hostname").asText()).isEqualTo(name);
      assertThat(replica.at("/environment/TOCSIN_CLUSTER_BIND").asText()).isEqualTo(name + ":7800");
      assertThat(replica.at("/environment/TOCSIN_CLUSTER_SECRET").asText()).startsWith("${TOCSIN_CLUSTER_SECRET:?");
      List<String> mounts = new ArrayList<>();
      replica.get("volumes").forEach(v -> mounts.add(v.asText()));
      assertThat(mounts).contains("./tocsin.yml:/etc/tocsin/tocsin.yml:ro", "../rules:/etc/tocsin/rules:ro");
      mounts.stream().filter(m -> m.startsWith(".")).forEach(m -> assertThat(HA.resolve(m.split(":")[0])).exists());
      mounts.stream().filter(m -> m.endsWith(":/var/lib/tocsin")).forEach(m -> dataVolumes.add(m.split(":")[0]));
    }
    assertThat(dataVolumes).containsExactly("tocsin-1-data", "tocsin-2-data", "tocsin-3-data");
    assertThat(compose.get("volumes").fieldNames()).toIterable().containsExactlyInAnyOrderElementsOf(dataVolumes);
    assertThat(HA.resolve(services.at("/otel-collector/volumes/0").asText().split(":")[0])).exists();
  }

  @Test
  void haConfig_listsTheReplicasOfTheComposeFileAsMembers() throws Exception {
    JsonNode cluster = YAML.readTree(HA.resolve("tocsin.yml").toFile()).get("cluster");

    assertThat(cluster.get("bind").asText()).isEqualTo("${TOCSIN_CLUSTER_BIND}");
    assertThat(cluster.get("secret").asText()).isEqualTo("${TOCSIN_CLUSTER_SECRET}");
    List<String> members = new ArrayList<>();
    cluster.get("members").forEach(m -> members.add(m.asText()));
    assertThat(members).containsExactly("tocsin-1:7800", "tocsin-2:7800", "tocsin-3:7800");
  }

  /** Needs the {@code cluster:} section in the config loader (issue 12). */
  @Test
  void haConfigs_loadOnEveryReplica() throws Exception {
    for (String replica : REPLICAS) {
      Map<String, String> env = Map.of("TOCSIN_CLUSTER_BIND", replica + ":7800", "TOCSIN_CLUSTER_SECRET", "s3cr3t",
          "SMTP_HOST", "mailpit");
      ServerConfig config = new ServerConfigLoader(env::get).load(HA.resolve("tocsin.yml"));
      assertThat(config.ruleFiles()).containsExactly("/etc/tocsin/rules/*.yml");
    }
    Map<String, String> env = Map.of("POD_NAME", "tocsin-0", "POD_NAMESPACE", "monitoring", "TOCSIN_CLUSTER_SECRET", "s3cr3t",
        "TOCSIN_EXTERNAL_URL", "https://tocsin.example.com");
    ServerConfig config = new ServerConfigLoader(env::get).load(KUBERNETES.resolve("tocsin.yml"));
    assertThat(config.ruleFiles()).containsExactly("/etc/tocsin/rules/*.yml");
  }

  @Test
  void haCollectors_sendEveryMetricToEveryReplica() throws Exception {
    Map<Path, List<String>> endpoints = Map.of(
        HA.resolve("otel-collector.yaml"), List.of("tocsin-1:4317", "tocsin-2:4317", "tocsin-3:4317"),
        KUBERNETES.resolve("otel-collector.yaml"), List.of(
            "tocsin-0.tocsin-headless.monitoring.svc.cluster.local:4317",
            "tocsin-1.tocsin-headless.monitoring.svc.cluster.local:4317",
            "tocsin-2.tocsin-headless.monitoring.svc.cluster.local:4317"));
    for (Map.Entry<Path, List<String>> file : endpoints.entrySet()) {
      JsonNode collector = YAML.readTree(file.getKey().toFile());
      JsonNode pipeline = collector.at("/service/pipelines/metrics");
      List<String> sentTo = new ArrayList<>();
      pipeline.get("exporters").forEach(name -> sentTo.add(collector.get("exporters").get(name.asText())
          .get("endpoint").asText()));

      assertThat(sentTo).as(file.getKey().toString()).containsExactlyElementsOf(file.getValue());
      assertThat(collector.get("exporters").fieldNames()).toIterable().allMatch(name -> name.startsWith("otlp/"));
      for (String kind : List.of("receivers", "processors", "exporters")) {
        pipeline.get(kind).forEach(name -> assertThat(collector.get(kind).has(name.asText()))
            .as(file.getKey() + " " + kind + " " + name.asText()).isTrue());
      }
    }
  }

  @Test
  void kubernetes_statefulSetAndServicesReferToEachOther_andDiscoveryUsesTheHeadlessService() throws Exception {
    JsonNode kustomization = YAML.readTree(KUBERNETES.resolve("kustomization.yaml").toFile());
    Map<String, JsonNode> objects = new HashMap<>();
    for (JsonNode resource : kustomization.get("resources")) {
      try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class)
          .readValues(KUBERNETES.resolve(resource.asText()).toFile())) {
        docs.forEachRemaining(d -> objects.put(d.get("kind").asText() + "/" + d.at("/metadata/name").asText(), d));
      }
    }
    kustomization.at("/configMapGenerator/0/files")
        .forEach(f -> assertThat(KUBERNETES.resolve(f.asText())).exists());

    assertThat(objects).containsOnlyKeys("StatefulSet/tocsin", "Service/tocsin-headless", "Service/tocsin",
        "PodDisruptionBudget/tocsin");
    JsonNode set = objects.get("StatefulSet/tocsin");
    JsonNode headless = objects.get("Service/tocsin-headless");
    JsonNode pod = set.at("/spec/template");
    JsonNode container = pod.at("/spec/containers/0");
    assertThat(set.at("/spec/replicas").asInt()).isEqualTo(3);
    assertThat(set.at("/spec/serviceName").asText()).isEqualTo("tocsin-headless");
    assertThat(headless.at("/spec/clusterIP").asText()).isEqualTo("None");
    assertThat(headless.at("/spec/publishNotReadyAddresses").asBoolean()).isTrue();
    for (JsonNode selector : List.of(headless.at("/spec/selector"), objects.get("Service/tocsin").at("/spec/selector"),
        set.at("/spec/selector/matchLabels"), objects.get("PodDisruptionBudget/tocsin").at("/spec/selector/matchLabels"))) {
      assertThat(selector).isEqualTo(pod.at("/metadata/labels"));
    }
    List<String> portNames = new ArrayList<>();
    container.get("ports").forEach(p -> portNames.add(p.get("name").asText()));
    headless.at("/spec/ports").forEach(p -> assertThat(portNames).contains(p.get("targetPort").asText()));
    assertThat(objects.get("Service/tocsin").at("/spec/ports").toString()).contains("8080").doesNotContain("4317");

    assertThat(container.at("/volumeMounts/0/name").asText())
        .isEqualTo(set.at("/spec/volumeClaimTemplates/0/metadata/name").asText());
    assertThat(container.at("/volumeMounts/0/mountPath").asText()).isEqualTo("/var/lib/tocsin");
    assertThat(container.at("/args/2").asText()).isEqualTo("/etc/tocsin/config/tocsin.yml");
    assertThat(container.at("/volumeMounts/1/mountPath").asText()).isEqualTo("/etc/tocsin/config");
    assertThat(pod.at("/spec/volumes/0/configMap/name").asText())
        .isEqualTo(kustomization.at("/configMapGenerator/0/name").asText());
    Map<String, JsonNode> env = new HashMap<>();
    container.get("env").forEach(e -> env.put(e.get("name").asText(), e));
    assertThat(env.get("TOCSIN_CLUSTER_SECRET").at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("tocsin-cluster");
    assertThat(env.get("POD_NAMESPACE").at("/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("metadata.namespace");
    assertThat(env.get("POD_NAME").at("/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("metadata.name");

    JsonNode cluster = YAML.readTree(KUBERNETES.resolve("tocsin.yml").toFile()).get("cluster");
    assertThat(cluster.get("dns").asText()).isEqualTo("tocsin-headless.${POD_NAMESPACE}.svc.cluster.local");
    assertThat(cluster.get("bind").asText()).isEqualTo("${POD_NAME}:7800");
    assertThat(cluster.has("members")).isFalse();
    assertThat(cluster.get("secret").asText()).isEqualTo("${TOCSIN_CLUSTER_SECRET}");
    assertThat(kustomization.get("namespace").asText()).isEqualTo("monitoring"); // as in otel-collector.yaml
  }

  /**
   * The JVM flags and environment chosen for resident memory (README "Sizing") are the same
   * wherever Tocsin is shipped, and {@code bench/run versus} runs Tocsin with them: the compose
   * demos differ only in a fixed heap, the benchmark only in sizing the heap from a 3 GiB
   * container's limit.
   */
  @Test
  void jvmFlagsAndEnvironment_areTheSameInTheImage_theDeployments_andTheSideBySideBenchmark() throws Exception {
    String dockerfile = Files.readString(Path.of("Dockerfile"));
    Map<String, String> imageEnv = new HashMap<>();
    Matcher env = Pattern.compile("(?m)^ENV (\\w+)=\"?([^\"\\n]*)\"?$").matcher(dockerfile);
    while (env.find()) {
      imageEnv.put(env.group(1), env.group(2));
    }
    String flags = imageEnv.remove("JDK_JAVA_OPTIONS");
    assertThat(flags).contains("-XX:+UseSerialGC", "-XX:TrimNativeHeapInterval=", "-XX:MaxRAMPercentage=70");
    assertThat(imageEnv).containsEntry("MALLOC_ARENA_MAX", "2").isEqualTo(VersusBenchmark.ENVIRONMENT);
    assertThat(VersusBenchmark.DEFAULT_JVM_FLAGS).isEqualTo("-XX:MaxRAM=3g " + flags);

    JsonNode set = YAML.readTree(KUBERNETES.resolve("statefulset.yaml").toFile());
    List<String> setFlags = new ArrayList<>();
    set.at("/spec/template/spec/containers/0/env").forEach(e -> {
      if (e.get("name").asText().equals("JDK_JAVA_OPTIONS")) {
        setFlags.add(e.get("value").asText());
      }
    });
    assertThat(setFlags).containsExactly(flags);
    String demoFlags = flags.replace("-XX:MaxRAMPercentage=70", "-Xmx512m");
    assertThat(YAML.readTree(Path.of("docker-compose.yml").toFile()).at("/services/tocsin/environment/JDK_JAVA_OPTIONS")
        .asText()).isEqualTo(demoFlags);
    JsonNode ha = YAML.readTree(HA.resolve("compose.yml").toFile()).get("services");
    for (String name : REPLICAS) {
      assertThat(ha.at("/" + name + "/environment/JDK_JAVA_OPTIONS").asText()).as(name).isEqualTo(demoFlags);
    }
  }
}
