package org.hms.sync.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as written in the configuration: a whole number and a unit ({@code 250ms}, {@code 2s},
 * {@code 10m}, {@code 1h}, {@code 1d}) or ISO-8601 ({@code PT2S}). Negative durations are refused.
 */
public final class Durations {
  static final String HINT = "write a number and a unit, e.g. 250ms, 2s, 10m, 1h";

  private static final Pattern NUMBER_AND_UNIT = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final long SECONDS_PER_DAY = 86_400;
  private static final long SECONDS_PER_HOUR = 3_600;
  private static final long SECONDS_PER_MINUTE = 60;

  private Durations() {}

  /**
   * Parses {@code <integer><unit>} (unit one of ms, s, m, h, d) or an ISO-8601 duration.
   *
   * @throws IllegalArgumentException naming the text and the expected form, e.g. {@code bad
   *     duration '5 sec': write a number and a unit, e.g. 250ms, 2s, 10m, 1h}
   */
  public static Duration parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("bad duration: no value given; " + HINT);
    }
    String trimmed = text.trim();
    Matcher matcher = NUMBER_AND_UNIT.matcher(trimmed);
    if (matcher.matches()) {
      return ofNumberAndUnit(text, matcher.group(1), matcher.group(2));
    }
    if (trimmed.startsWith("-")) {
      throw negative(text);
    }
    if (trimmed.startsWith("P") || trimmed.startsWith("p")) {
      Duration duration;
      try {
        duration = Duration.parse(trimmed);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("bad duration '" + text + "': " + HINT, e);
      }
      if (duration.isNegative()) {
        throw negative(text);
      }
      return duration;
    }
    throw new IllegalArgumentException("bad duration '" + text + "': " + HINT);
  }

  /**
   * The shortest exact form in the largest fitting unit: {@code 250ms}, {@code 2s}, {@code 10m},
   * {@code 1h}, {@code 1d}, {@code 0s}. Durations {@link #parse} cannot take in that form
   * (negative, or finer than a millisecond) come out as ISO-8601. {@code parse(format(d))} always
   * equals {@code d} for non-negative {@code d}.
   */
  public static String format(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative() || duration.getNano() % 1_000_000 != 0) {
      return duration.toString();
    }
    long seconds = duration.getSeconds();
    int millis = duration.getNano() / 1_000_000;
    if (millis != 0) {
      try {
        return Math.addExact(Math.multiplyExact(seconds, 1000L), millis) + "ms";
      } catch (ArithmeticException tooLong) {
        return duration.toString();
      }
    }
    if (seconds == 0) {
      return "0s";
    }
    if (seconds % SECONDS_PER_DAY == 0) {
      return seconds / SECONDS_PER_DAY + "d";
    }
    if (seconds % SECONDS_PER_HOUR == 0) {
      return seconds / SECONDS_PER_HOUR + "h";
    }
    if (seconds % SECONDS_PER_MINUTE == 0) {
      return seconds / SECONDS_PER_MINUTE + "m";
    }
    return seconds + "s";
  }

  private static Duration ofNumberAndUnit(String text, String digits, String unit) {
    try {
      long amount = Long.parseLong(digits);
      switch (unit) {
        case "ms":
          return Duration.ofMillis(amount);
        case "s":
          return Duration.ofSeconds(amount);
        case "m":
          return Duration.ofMinutes(amount);
        case "h":
          return Duration.ofHours(amount);
        case "d":
          return Duration.ofDays(amount);
        default:
          throw new IllegalStateException(
              "unit " + unit + " matched the pattern but is not handled");
      }
    } catch (NumberFormatException | ArithmeticException tooLarge) {
      throw new IllegalArgumentException(
          "bad duration '"
              + text
              + "': too large; write a smaller number or a larger unit, e.g. 1d",
          tooLarge);
    }
  }

  private static IllegalArgumentException negative(String text) {
    return new IllegalArgumentException(
        "bad duration '" + text + "': must not be negative; " + HINT);
  }
}
