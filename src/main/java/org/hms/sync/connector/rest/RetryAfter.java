package org.hms.sync.connector.rest;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Reads an HTTP Retry-After header: delay-seconds or an HTTP-date. */
final class RetryAfter {
  /** Nobody waits longer than this on a server's word. */
  static final Duration LONGEST = Duration.ofHours(1);

  private RetryAfter() {}

  static Optional<Instant> parse(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    String value = header.trim();
    Instant at;
    try {
      at = now.plusSeconds(Math.max(0, Long.parseLong(value)));
    } catch (NumberFormatException notSeconds) {
      try {
        at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      } catch (DateTimeParseException notDate) {
        return Optional.empty();
      }
    }
    Instant latest = now.plus(LONGEST);
    return Optional.of(at.isAfter(latest) ? latest : at);
  }
}
