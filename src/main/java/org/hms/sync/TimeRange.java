package org.hms.sync;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The times the service takes: from 1900-01-01 to 9999-12-31 (UTC). Beyond them a date is a typo
 * or an attack, and databases and HL7 (four-digit years) cannot hold it.
 */
public final class TimeRange {
  public static final int FIRST_YEAR = 1900;
  public static final int LAST_YEAR = 9999;

  private static final Instant FIRST = LocalDate.of(FIRST_YEAR, 1, 1).atStartOfDay().toInstant(ZoneOffset.UTC);
  private static final Instant AFTER_LAST =
      LocalDate.of(LAST_YEAR, 12, 31).plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);

  private TimeRange() {}

  public static boolean contains(Instant instant) {
    return !instant.isBefore(FIRST) && instant.isBefore(AFTER_LAST);
  }

  public static boolean contains(LocalDate date) {
    return date.getYear() >= FIRST_YEAR && date.getYear() <= LAST_YEAR;
  }
}
