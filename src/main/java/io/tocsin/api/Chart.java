package io.tocsin.api;

import io.tocsin.notify.Messages;
import io.tocsin.rules.Thresholds;
import io.tocsin.store.BucketGrid;
import io.tocsin.util.Numbers;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

/**
 * A small SVG line chart of one group's values against the monitor's thresholds, drawn on the
 * server so the status page needs no JavaScript: the breaching side of each threshold is shaded,
 * the line breaks where a bucket has no value.
 */
final class Chart {
  static final int WIDTH = 640;
  static final int HEIGHT = 160;
  private static final int LEFT = 48;
  private static final int RIGHT = 8;
  private static final int TOP = 8;
  private static final int BOTTOM = 20;

  private Chart() {}

  static String svg(BucketGrid grid, double[] values, Thresholds thresholds) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      if (Double.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    for (Double t : new Double[] {thresholds.min(), thresholds.max()}) {
      if (t != null) {
        lo = Math.min(lo, t);
        hi = Math.max(hi, t);
      }
    }
    if (!Double.isFinite(lo)) {
      lo = 0;
      hi = 1;
    }
    if (hi - lo < 1e-12) {
      double pad = Math.abs(hi) * 0.1 + 1;
      lo -= pad;
      hi += pad;
    } else {
      double pad = (hi - lo) * 0.08;
      lo -= pad;
      hi += pad;
    }
    double plotW = WIDTH - LEFT - RIGHT;
    double plotH = HEIGHT - TOP - BOTTOM;
    double yLo = lo;
    double ySpan = hi - lo;
    DoubleUnaryOperator y = v -> TOP + plotH * (1 - (v - yLo) / ySpan);
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\""
            + " role=\"img\" aria-label=\"values against the threshold\">", WIDTH, HEIGHT, WIDTH, HEIGHT));
    svg.append(String.format(Locale.ROOT, "<rect class=\"plot\" x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\"/>",
        LEFT, TOP, plotW, plotH));
    if (thresholds.min() != null) {
      double ty = y.applyAsDouble(thresholds.min());
      svg.append(band(ty, TOP + plotH, plotW)).append(line(ty, plotW, "min " + Numbers.format(thresholds.min())));
    }
    if (thresholds.max() != null) {
      double ty = y.applyAsDouble(thresholds.max());
      svg.append(band(TOP, ty, plotW)).append(line(ty, plotW, "max " + Numbers.format(thresholds.max())));
    }
    svg.append(String.format(Locale.ROOT, "<text class=\"axis\" x=\"%d\" y=\"%.1f\">%s</text>", 2, TOP + 10.0,
        Numbers.format(round(hi))));
    svg.append(String.format(Locale.ROOT, "<text class=\"axis\" x=\"%d\" y=\"%.1f\">%s</text>", 2, TOP + plotH,
        Numbers.format(round(lo))));
    StringBuilder path = new StringBuilder();
    boolean penDown = false;
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        penDown = false;
        continue;
      }
      double x = LEFT + (values.length == 1 ? plotW / 2 : plotW * i / (values.length - 1));
      path.append(String.format(Locale.ROOT, "%s%.1f %.1f ", penDown ? "L" : "M", x, y.applyAsDouble(values[i])));
      penDown = true;
    }
    if (path.length() > 0) {
      svg.append("<path class=\"values\" d=\"").append(path.toString().trim()).append("\"/>");
    }
    svg.append(String.format(Locale.ROOT, "<text class=\"axis\" x=\"%d\" y=\"%d\">%s</text>", LEFT, HEIGHT - 4,
        Messages.time(grid.startMs())));
    svg.append(String.format(Locale.ROOT, "<text class=\"axis end\" x=\"%d\" y=\"%d\">%s</text>", WIDTH - RIGHT,
        HEIGHT - 4, Messages.time(grid.endMs())));
    return svg.append("</svg>").toString();
  }

  private static String band(double fromY, double toY, double plotW) {
    return String.format(Locale.ROOT, "<rect class=\"breach\" x=\"%d\" y=\"%.1f\" width=\"%.0f\" height=\"%.1f\"/>",
        LEFT, Math.min(fromY, toY), plotW, Math.abs(toY - fromY));
  }

  private static String line(double ty, double plotW, String label) {
    return String.format(Locale.ROOT, "<line class=\"threshold\" x1=\"%d\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>"
        + "<text class=\"axis threshold-label\" x=\"%.0f\" y=\"%.1f\">%s</text>", LEFT, ty, LEFT + plotW, ty,
        LEFT + plotW - 4, ty - 3, label);
  }

  private static double round(double v) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(Math.abs(v), 1e-9))) - 2);
    return Math.round(v / magnitude) * magnitude;
  }
}
