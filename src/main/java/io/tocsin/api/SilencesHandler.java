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
 * Silences over REST, in the API's common conventions (snake_case keys, Unix-millisecond
 * times): {@code GET /api/v1/silences} (paged), {@code GET /api/v1/silences/{id}}, {@code POST
 * /api/v1/silences} (create, or update when the body has an id; answers {@code {"id": id}}) and
 * {@code DELETE /api/v1/silences/{id}} (expires it now). Requests may give times as Unix
 * milliseconds or as RFC 3339 strings; matchers as objects or in the text form {@code
 * node=~"n[12]"}. A silence as GET shows it can be posted back to update it.
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
    ListParams params;
    try {
      params = ListParams.of(ctx, MonitorsHandler.DEFAULT_LIMIT);
    } catch (BadRequestException e) {
      ApiErrors.badRequest(ctx, e.getMessage());
      return;
    }
    long now = clock.millis();
    List<Map<String, Object>> list = new ArrayList<>();
    for (Silence s : silences.list()) {
      list.add(render(s, now));
    }
    ctx.json(params.page("silences", list));
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
    ctx.json(Map.of("id", saved.get().id()));
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

  /** A silence as the API shows it. */
  static Map<String, Object> render(Silence s, long nowMs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.id());
    List<Map<String, Object>> matchers = new ArrayList<>();
    for (Matcher matcher : s.matchers()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("name", matcher.name());
      one.put("value", matcher.value());
      one.put("is_regex", matcher.isRegex());
      one.put("is_equal", matcher.isEqual());
      matchers.add(one);
    }
    m.put("matchers", matchers);
    m.put("starts_at", s.startsAt().toEpochMilli());
    m.put("ends_at", s.endsAt().toEpochMilli());
    m.put("created_by", s.createdBy());
    m.put("comment", s.comment());
    m.put("updated_at", s.updatedAt().toEpochMilli());
    m.put("state", s.state(nowMs).id());
    return m;
  }

  /** The body of {@code POST /api/v1/silences}, checked field by field. */
  static final class SilenceRequest {
    private static final List<String> FIELDS =
        List.of("id", "matchers", "starts_at", "ends_at", "created_by", "comment");
    /** What GET shows besides the fields above; ignored, so that a listed silence can be posted back. */
    private static final Set<String> IGNORED = Set.of("state", "updated_at");
    private static final List<String> MATCHER_FIELDS = List.of("name", "value", "is_regex", "is_equal");
    private static final String MATCHER_FORMS =
        "{\"name\", \"value\", \"is_regex\", \"is_equal\"} or a string such as 'node=~\"n[12]\"'";
    private static final String TIME_FORMS =
        "Unix milliseconds such as 1772366400000 or an RFC 3339 time such as \"2026-03-01T12:00:00Z\"";
    /** Unix milliseconds below this (March 1973) are taken for a mistake: Unix seconds. */
    private static final long SMALLEST_MILLIS = 100_000_000_000L;
    /**
     * RFC 3339 has four-digit years; later times would overflow the millisecond arithmetic of
     * listing and expiry, and be kept in the silences file for good.
     */
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

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
        throw new BadRequestException("request body must be a JSON object with \"matchers\" and \"ends_at\"");
      }
      for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!FIELDS.contains(name) && !IGNORED.contains(name)) {
          throw unknownField("", name, FIELDS);
        }
      }
      String id = string(root, "id", "\"id\"");
      if (id != null && id.isEmpty()) {
        id = null; // as in Alertmanager: an empty id creates
      }
      List<Matcher> matchers = matchers(root.get("matchers"));
      Instant startsAt = time(root, "starts_at");
      Instant endsAt = time(root, "ends_at");
      if (endsAt == null) {
        throw new BadRequestException("\"ends_at\" is required: " + TIME_FORMS);
      }
      return new Silences.Draft(id, matchers, startsAt, endsAt, string(root, "created_by", "\"created_by\""),
          string(root, "comment", "\"comment\""));
    }

    /**
     * An unknown field; a camelCase one that is a known field in snake_case (what Alertmanager's
     * clients send) gets a hint.
     */
    private static BadRequestException unknownField(String where, String name, List<String> known) {
      String snake = name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
      String hint = !snake.equals(name) && known.contains(snake) ? " (did you mean \"" + snake + "\"?)" : "";
      return new BadRequestException(where + "unknown field \"" + name + "\"" + hint + "; expected "
          + String.join(", ", known));
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
          throw unknownField(where + ": ", name, MATCHER_FIELDS);
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
      boolean isRegex = bool(item, "is_regex", where, false);
      // As in Alertmanager: a matcher without is_equal is a positive one.
      boolean isEqual = bool(item, "is_equal", where, true);
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

    /** Unix milliseconds (what GET shows) or an RFC 3339 string (what people type). */
    private static Instant time(JsonNode root, String field) throws BadRequestException {
      JsonNode node = root.get(field);
      if (node == null || node.isNull()) {
        return null;
      }
      String name = "\"" + field + "\"";
      if (node.isNumber()) {
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
          throw new BadRequestException(name + " must be " + TIME_FORMS + ", got " + node.asText());
        }
        long ms = node.asLong();
        if (ms > 0 && ms < SMALLEST_MILLIS) {
          throw new BadRequestException(name + ": " + ms + " looks like Unix seconds; give Unix milliseconds ("
              + ms + "000)");
        }
        return inRange(name, Instant.ofEpochMilli(ms), node.asText());
      }
      if (!node.isTextual()) {
        throw new BadRequestException(name + " must be " + TIME_FORMS + "; found " + type(node));
      }
      Instant time;
      try {
        time = OffsetDateTime.parse(node.asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
      } catch (DateTimeParseException e) {
        throw new BadRequestException(name + " must be " + TIME_FORMS + ", got \"" + node.asText() + "\"");
      }
      return inRange(name, time, "\"" + node.asText() + "\"");
    }

    private static Instant inRange(String name, Instant time, String given) throws BadRequestException {
      if (time.isBefore(Instant.EPOCH) || time.isAfter(LATEST)) {
        throw new BadRequestException(name + " must be between 1970-01-01T00:00:00Z and " + LATEST + ", got " + given);
      }
      return time;
    }

    private static String type(JsonNode node) {
      return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
  }
}
