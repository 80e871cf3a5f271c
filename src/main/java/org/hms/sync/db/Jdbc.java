package org.hms.sync.db;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Small JDBC conversions shared by the repositories. */
public final class Jdbc {
  private Jdbc() {}

  public static void setInstant(PreparedStatement statement, int index, Instant instant)
      throws SQLException {
    if (instant == null) {
      statement.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      statement.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
    }
  }

  public static Instant getInstant(ResultSet rows, String column) throws SQLException {
    OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  public static void setNullableInt(PreparedStatement statement, int index, Integer value)
      throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.INTEGER);
    } else {
      statement.setInt(index, value);
    }
  }

  public static Integer getNullableInt(ResultSet rows, String column) throws SQLException {
    int value = rows.getInt(column);
    return rows.wasNull() ? null : value;
  }

  /**
   * Text as a reason or error column can hold it, so that a message never fails the write that
   * logs it: NUL (which PostgreSQL refuses in text, while H2 stores it) becomes U+FFFD, and text
   * longer than {@code max} characters is cut to {@code max}, ending in "…" and never between the
   * two halves of a surrogate pair. Both databases store the same result.
   */
  public static String clip(String text, int max) {
    if (text == null) {
      return null;
    }
    String storable = text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
    if (storable.length() <= max) {
      return storable;
    }
    int end = max - 1;
    if (Character.isHighSurrogate(storable.charAt(end - 1))) {
      end--;
    }
    return storable.substring(0, end) + "…";
  }
}
