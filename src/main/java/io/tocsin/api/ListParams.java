package io.tocsin.api;

import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The query parameters of a list endpoint: only known names are accepted (a misspelt filter
 * must not silently return everything), single-valued ones at most once, and {@code limit} and
 * {@code offset} page the list. Every problem is a {@link BadRequestException} naming the
 * parameter.
 */
final class ListParams {
  static final int MAX_LIMIT = 1000;
  static final String LIMIT = "limit";
  static final String OFFSET = "offset";

  private final Context ctx;
  private final int limit;
  private final int offset;

  private ListParams(Context ctx, int limit, int offset) {
    this.ctx = ctx;
    this.limit = limit;
    this.offset = offset;
  }

  /**
   * @param defaultLimit the page size when the request gives none
   * @param filters the endpoint's other parameter names, besides limit and offset
   */
  static ListParams of(Context ctx, int defaultLimit, String... filters) throws BadRequestException {
    List<String> known = new ArrayList<>(List.of(filters));
    known.add(LIMIT);
    known.add(OFFSET);
    onlyKnown(ctx, known);
    String limit = single(ctx, LIMIT);
    String offset = single(ctx, OFFSET);
    return new ListParams(ctx, limit == null ? defaultLimit : number(LIMIT, limit, MAX_LIMIT),
        offset == null ? 0 : number(OFFSET, offset, Integer.MAX_VALUE));
  }

  /** The value of a parameter that may be given once, or null. */
  String single(String name) throws BadRequestException {
    return single(ctx, name);
  }

  private static String single(Context ctx, String name) throws BadRequestException {
    List<String> values = ctx.queryParams(name);
    if (values.size() > 1) {
      throw new BadRequestException("query parameter \"" + name + "\" is given " + values.size()
          + " times; give it once");
    }
    return values.isEmpty() ? null : values.get(0);
  }

  /** Every value of a repeatable parameter, in request order. */
  List<String> all(String name) {
    return ctx.queryParams(name);
  }

  /** {@code {key: the page of items, "total": how many there are before paging}}. */
  Map<String, Object> page(String key, List<?> items) {
    int from = (int) Math.min(items.size(), (long) offset);
    int to = (int) Math.min(items.size(), (long) from + limit);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(key, items.subList(from, to));
    body.put("total", items.size());
    return body;
  }

  private static int number(String name, String text, int max) throws BadRequestException {
    String range = max == Integer.MAX_VALUE ? "0 or more" : "from 0 to " + max;
    try {
      int n = Integer.parseInt(text);
      if (n >= 0 && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below, with the range
    }
    throw new BadRequestException(name + " must be a whole number " + range + ", got \"" + text + "\"");
  }

  /** Refuses a parameter the endpoint does not know, e.g. {@code ?stat=firing}. */
  static void onlyKnown(Context ctx, List<String> known) throws BadRequestException {
    for (String name : new TreeSet<>(ctx.queryParamMap().keySet())) {
      if (!known.contains(name)) {
        throw new BadRequestException("unknown query parameter \"" + name + "\"; expected "
            + (known.isEmpty() ? "none" : String.join(", ", known)));
      }
    }
  }
}
