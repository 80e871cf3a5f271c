package org.hms.sync.connector.http;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads an HTTP Retry-After header: delay-seconds or an HTTP-date. Shared by the connector types
 * that speak HTTP.
 */
public final class RetryAfter {
  /** Nobody waits longer than this on a server's word. */
  public static final Duration LONGEST = Duration.ofHours(1);

  private RetryAfter() {}

  /**
   * When the next attempt may start: never before {@code now}, never more than {@link #LONGEST}
   * after it.
   *
   * @param header the header's value, or {@code null} when the response had none
   * @return empty when there is no header or it cannot be read
   */
  public static Optional<Instant> parse(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    String value = header.trim();
    Instant at;
    if (value.matches("-\\d+")) {
      return Optional.of(now);
    }
    if (value.chars().allMatch(Character::isDigit)) {
      // Delay-seconds; a huge number is the same as "a long time": cap it before adding.
      long seconds = value.length() > 12 ? LONGEST.getSeconds() : Long.parseLong(value);
      return Optional.of(now.plusSeconds(Math.min(seconds, LONGEST.getSeconds())));
    }
    try {
      at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeParseException notDate) {
      return Optional.empty();
    }
    if (at.isBefore(now)) {
      return Optional.of(now);
    }
    Instant latest = now.plus(LONGEST);
    return Optional.of(at.isAfter(latest) ? latest : at);
  }
}
