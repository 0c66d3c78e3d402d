package io.tocsin.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.tocsin.notify.Messages;
import io.tocsin.notify.silence.Matcher;
import io.tocsin.notify.silence.Silence;
import io.tocsin.notify.silence.Silences;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Silences over REST, in Alertmanager's v2 shape so that its clients and habits carry over:
 * {@code GET /api/v1/silences}, {@code GET /api/v1/silences/{id}}, {@code POST
 * /api/v1/silences} (create, or update when the body has an id; answers {@code {"silenceID":
 * id}}) and {@code DELETE /api/v1/silences/{id}} (expires it now). Times are RFC 3339 strings.
 */
final class SilencesHandler {
  private static final Logger log = LoggerFactory.getLogger(SilencesHandler.class);

  private final Silences silences;
  private final Clock clock;
  private final ObjectMapper json;

  SilencesHandler(Silences silences, Clock clock, ObjectMapper json) {
    this.silences = silences;
    this.clock = clock;
    this.json = json;
  }

  void list(Context ctx) {
    long now = clock.millis();
    List<Map<String, Object>> list = new ArrayList<>();
    for (Silence s : silences.list()) {
      list.add(render(s, now));
    }
    ctx.json(Map.of("silences", list));
  }

  /** Rows for the status page's silences table, as the store orders them. */
  List<Map<String, Object>> rows() {
    long now = clock.millis();
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Silence s : silences.list()) {
      Map<String, Object> row = new HashMap<>();
      row.put("state", s.state(now).id());
      row.put("matchers", s.matchers().stream().map(Object::toString).collect(Collectors.joining(", ")));
      row.put("endsAt", Messages.time(s.endsAt().toEpochMilli()));
      row.put("createdBy", s.createdBy());
      row.put("comment", s.comment());
      rows.add(row);
    }
    return rows;
  }

  void get(Context ctx) {
    String id = ctx.pathParam("id");
    Optional<Silence> found = silences.get(id);
    if (found.isEmpty()) {
      notFound(ctx, id);
      return;
    }
    ctx.json(render(found.get(), clock.millis()));
  }

  void post(Context ctx) {
    Silences.Draft draft;
    Optional<Silence> saved;
    try {
      draft = SilenceRequest.parse(json, ctx.bodyAsBytes());
      saved = silences.save(draft);
    } catch (BadRequestException | IllegalArgumentException e) {
      ApiErrors.badRequest(ctx, e.getMessage());
      return;
    } catch (IOException e) {
      cannotSave(ctx, e);
      return;
    }
    if (saved.isEmpty()) {
      notFound(ctx, draft.id());
      return;
    }
    ctx.json(Map.of("silenceID", saved.get().id()));
  }

  void delete(Context ctx) {
    String id = ctx.pathParam("id");
    Optional<Silence> expired;
    try {
      expired = silences.expire(id);
    } catch (IOException e) {
      cannotSave(ctx, e);
      return;
    }
    if (expired.isEmpty()) {
      notFound(ctx, id);
      return;
    }
    ctx.json(render(expired.get(), clock.millis()));
  }

  private static void notFound(Context ctx, String id) {
    ApiErrors.respond(ctx, HttpStatus.NOT_FOUND, "no silence with id \"" + id + "\"");
  }

  private static void cannotSave(Context ctx, IOException e) {
    log.error("cannot write the silences file", e);
    ApiErrors.respond(ctx, HttpStatus.INTERNAL_SERVER_ERROR, "cannot save silences: " + e.getMessage()
        + "; nothing was changed");
  }

  /** A silence as Alertmanager's v2 API shows it. */
  static Map<String, Object> render(Silence s, long nowMs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.id());
    List<Map<String, Object>> matchers = new ArrayList<>();
    for (Matcher matcher : s.matchers()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("name", matcher.name());
      one.put("value", matcher.value());
      one.put("isRegex", matcher.isRegex());
      one.put("isEqual", matcher.isEqual());
      matchers.add(one);
    }
    m.put("matchers", matchers);
    m.put("startsAt", s.startsAt().toString());
    m.put("endsAt", s.endsAt().toString());
    m.put("createdBy", s.createdBy());
    m.put("comment", s.comment());
    m.put("updatedAt", s.updatedAt().toString());
    m.put("status", Map.of("state", s.state(nowMs).id()));
    return m;
  }

  /** The body of {@code POST /api/v1/silences}, checked field by field. */
  static final class SilenceRequest {
    private static final List<String> FIELDS = List.of("id", "matchers", "startsAt", "endsAt", "createdBy", "comment");
    /** What GET shows besides the fields above; ignored, so that a listed silence can be posted back. */
    private static final Set<String> IGNORED = Set.of("status", "updatedAt");
    private static final List<String> MATCHER_FIELDS = List.of("name", "value", "isRegex", "isEqual");
    private static final String MATCHER_FORMS =
        "{\"name\", \"value\", \"isRegex\", \"isEqual\"} or a string such as 'node=~\"n[12]\"'";
    private static final String TIME_EXAMPLE = "an RFC 3339 time such as \"2026-03-01T12:00:00Z\"";

    private SilenceRequest() {}

    static Silences.Draft parse(ObjectMapper json, byte[] body) throws BadRequestException {
      JsonNode root;
      try {
        root = json.readTree(body);
      } catch (JsonProcessingException e) {
        throw new BadRequestException("request body is not valid JSON: " + e.getOriginalMessage());
      } catch (IOException e) {
        throw new BadRequestException("cannot read the request body");
      }
      if (root == null || !root.isObject()) {
        throw new BadRequestException("request body must be a JSON object with \"matchers\" and \"endsAt\"");
      }
      for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!FIELDS.contains(name) && !IGNORED.contains(name)) {
          throw new BadRequestException("unknown field \"" + name + "\"; expected " + String.join(", ", FIELDS));
        }
      }
      String id = string(root, "id", "\"id\"");
      if (id != null && id.isEmpty()) {
        id = null; // as in Alertmanager: an empty id creates
      }
      List<Matcher> matchers = matchers(root.get("matchers"));
      Instant startsAt = time(root, "startsAt");
      Instant endsAt = time(root, "endsAt");
      if (endsAt == null) {
        throw new BadRequestException("\"endsAt\" is required: " + TIME_EXAMPLE);
      }
      return new Silences.Draft(id, matchers, startsAt, endsAt, string(root, "createdBy", "\"createdBy\""),
          string(root, "comment", "\"comment\""));
    }

    private static List<Matcher> matchers(JsonNode node) throws BadRequestException {
      if (node == null || node.isNull()) {
        throw new BadRequestException("\"matchers\" is required: a list of matchers, each " + MATCHER_FORMS);
      }
      if (!node.isArray()) {
        throw new BadRequestException("\"matchers\" must be a list of matchers, each " + MATCHER_FORMS);
      }
      if (node.isEmpty()) {
        throw new BadRequestException("\"matchers\" must not be empty: a silence needs at least one matcher");
      }
      List<Matcher> matchers = new ArrayList<>();
      for (int i = 0; i < node.size(); i++) {
        String where = "matchers[" + i + "]";
        JsonNode item = node.get(i);
        try {
          if (item.isTextual()) {
            matchers.add(Matcher.parse(item.asText()));
          } else if (item.isObject()) {
            matchers.add(matcher(item, where));
          } else {
            throw new BadRequestException(where + " must be " + MATCHER_FORMS + "; found " + type(item));
          }
        } catch (IllegalArgumentException e) {
          throw new BadRequestException(where + ": " + e.getMessage());
        }
      }
      return matchers;
    }

    private static Matcher matcher(JsonNode item, String where) throws BadRequestException {
      for (Iterator<String> names = item.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!MATCHER_FIELDS.contains(name)) {
          throw new BadRequestException(where + ": unknown field \"" + name + "\"; expected "
              + String.join(", ", MATCHER_FIELDS));
        }
      }
      String name = string(item, "name", where + ".name");
      if (name == null || name.isEmpty()) {
        throw new BadRequestException(where + ".name is required: a label name, or \"monitor\" for the monitor name");
      }
      String value = string(item, "value", where + ".value");
      if (value == null) {
        throw new BadRequestException(where + ".value is required: a string (\"\" matches a missing label)");
      }
      boolean isRegex = bool(item, "isRegex", where, false);
      // Alertmanager's default: a matcher without isEqual is a positive one.
      boolean isEqual = bool(item, "isEqual", where, true);
      return Matcher.of(name, Matcher.Operator.of(isRegex, isEqual), value);
    }

    private static String string(JsonNode parent, String field, String what) throws BadRequestException {
      JsonNode node = parent.get(field);
      if (node == null || node.isNull()) {
        return null;
      }
      if (!node.isTextual()) {
        throw new BadRequestException(what + " must be a string; found " + type(node));
      }
      return node.asText();
    }

    private static boolean bool(JsonNode parent, String field, String where, boolean defaultValue)
        throws BadRequestException {
      JsonNode node = parent.get(field);
      if (node == null || node.isNull()) {
        return defaultValue;
      }
      if (!node.isBoolean()) {
        throw new BadRequestException(where + "." + field + " must be true or false; found " + type(node));
      }
      return node.asBoolean();
    }

    private static Instant time(JsonNode root, String field) throws BadRequestException {
      JsonNode node = root.get(field);
      if (node == null || node.isNull()) {
        return null;
      }
      if (!node.isTextual()) {
        throw new BadRequestException("\"" + field + "\" must be " + TIME_EXAMPLE + "; found " + type(node));
      }
      try {
        return OffsetDateTime.parse(node.asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
      } catch (DateTimeParseException e) {
        throw new BadRequestException("\"" + field + "\" must be " + TIME_EXAMPLE + ", got \"" + node.asText()
            + "\"");
      }
    }

    private static String type(JsonNode node) {
      return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
  }
}
