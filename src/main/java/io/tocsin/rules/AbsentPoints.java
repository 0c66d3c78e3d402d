package io.tocsin.rules;

import java.util.Locale;

/** What a bucket without a value means for a group. */
public enum AbsentPoints {
  /** Neither a breach nor a recovery; a group silent for long enough is dropped ({@code no_data}). */
  IGNORE,
  /** The value is 0. */
  ZERO,
  /** A breach: known groups whose data vanish fire. */
  ALERT;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
