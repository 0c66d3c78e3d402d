package io.tocsin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tocsin query}: runs a query on a running server through {@code POST /api/v1/query}. */
@Command(name = "query", mixinStandardHelpOptions = true,
    description = "Run a query against a running Tocsin and print each group's values.",
    footer = {"", "Example:",
        "  tocsin query -m 'redis_up as $up' 'group by node' '$up as up'"})
public final class QueryCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  @Spec
  CommandSpec spec;

  @Option(names = {"-s", "--server"}, defaultValue = "http://localhost:8080", description = "Server URL (default: ${DEFAULT-VALUE}).")
  String server;

  @Option(names = {"-m", "--metric"}, paramLabel = "'NAME as $ALIAS'", description = "A metric declaration; repeat for each.")
  List<String> metrics = new ArrayList<>();

  @Option(names = {"-i", "--interval"}, defaultValue = "1m", description = "Bucket width (default: ${DEFAULT-VALUE}).")
  String interval;

  @Option(names = {"-r", "--range"}, defaultValue = "15m", description = "How far back (default: ${DEFAULT-VALUE}).")
  String range;

  @Option(names = {"-d", "--datasource"}, paramLabel = "NAME",
      description = "Evaluate against this datasource of the server's tocsin.yml, as a monitor with datasource: NAME would.")
  String datasource;

  @Option(names = "--json", description = "Print the server's JSON answer as it is.")
  boolean json;

  @Parameters(paramLabel = "PART", arity = "1..*", description = "Query items, e.g. 'group by node' '$up as up'.")
  List<String> items;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode body = mapper.createObjectNode();
    body.set("metrics", mapper.valueToTree(metrics));
    body.set("query", mapper.valueToTree(items));
    body.put("interval", interval);
    body.put("range", range);
    if (datasource != null) {
      body.put("datasource", datasource);
    }
    HttpResponse<String> response;
    try {
      response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
          HttpRequest.newBuilder(URI.create(server.replaceAll("/+$", "") + "/api/v1/query"))
              .timeout(Duration.ofSeconds(60))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(mapper.writeValueAsString(body))).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      err.println("cannot reach " + server + ": " + why(e));
      return 1;
    }
    JsonNode answer = mapper.readTree(response.body());
    if (response.statusCode() != 200) {
      err.println(answer.path("error").asText(response.body()));
      return 1;
    }
    if (json) {
      out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
      return 0;
    }
    print(answer, out);
    return 0;
  }

  /** One line per group and column: labels, column, and each bucket's time and value. */
  static void print(JsonNode answer, PrintWriter out) {
    if (answer.path("groups").isEmpty()) {
      out.println("no data");
      return;
    }
    for (JsonNode group : answer.path("groups")) {
      StringBuilder labels = new StringBuilder("{");
      for (Iterator<Map.Entry<String, JsonNode>> it = group.path("labels").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> label = it.next();
        labels.append(labels.length() > 1 ? ", " : "").append(label.getKey()).append("=\"")
            .append(label.getValue().asText()).append('"');
      }
      labels.append('}');
      for (Iterator<Map.Entry<String, JsonNode>> it = group.path("columns").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> column = it.next();
        StringBuilder line = new StringBuilder(labels).append("  ").append(column.getKey()).append(':');
        for (JsonNode point : column.getValue()) {
          line.append(' ').append(TIME.format(Instant.ofEpochMilli(point.get(0).asLong())))
              .append('=').append(point.get(1).asText());
        }
        out.println(line);
      }
    }
  }

  /**
   * What went wrong, in words: the HTTP client's exceptions often carry no message of their own
   * (a refused connection is a {@code ConnectException} with a null message).
   */
  private static String why(IOException e) {
    if (e instanceof ConnectException) {
      return "connection refused (is Tocsin running there?)";
    }
    if (e instanceof HttpTimeoutException) {
      return "no answer in time";
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
