package org.hms.sync.connector.fhir;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads an HTTP Retry-After header: delay-seconds or an HTTP-date, capped at an hour. (The rest
 * connector has the same rules in its own package.)
 */
final class RetryAfter {
  static final Duration LONGEST = Duration.ofHours(1);

  private RetryAfter() {}

  static Optional<Instant> parse(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    String value = header.trim();
    if (value.matches("-\\d+")) {
      return Optional.of(now);
    }
    if (value.chars().allMatch(Character::isDigit)) {
      long seconds = value.length() > 12 ? LONGEST.getSeconds() : Long.parseLong(value);
      return Optional.of(now.plusSeconds(Math.min(seconds, LONGEST.getSeconds())));
    }
    Instant at;
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
