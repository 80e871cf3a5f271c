package org.hms.sync.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Polling a connector's change feed ({@code connectors[].inbound.poll}): every {@code interval} a
 * {@code GET baseUrl + path?cursorParam=cursor}, following next-page links, each item mapped to
 * changes and stored in the inbox.
 *
 * @param path appended to the connector's baseUrl, e.g. {@code /appointments/changes}; {@code
 *     null}: the connector's own change feed ({@code fhir}: its {@code _lastUpdated} search), which gives its own
 *     cursor: cursorParam, items, next and cursorField do not apply then
 * @param interval how long to wait between polls (default 30s)
 * @param cursorParam the query parameter that carries the cursor (default {@code updatedSince})
 * @param items JSON pointer to the items array in the response; {@code ""} (the default): the body
 *     itself is the array
 * @param next JSON pointer to the next page's link (absolute or relative URL); {@code null}: one
 *     page per poll
 * @param cursorField JSON pointer into an item giving its cursor value; the last item's value is
 *     the next cursor. {@code null}: the cursor never moves (the whole feed is read each time)
 * @param idField JSON pointer into an item giving its stable id; {@code null}: the SHA-256 of the
 *     item's JSON is its id
 * @param mapping the JSONata file (absolute, normalized) turning one item into changes
 * @param initialCursor the cursor of the very first poll; {@code null}: no cursor parameter then
 * @param maxPages at most this many pages per poll (default 10); the rest comes with the next one
 */
public record PollConfig(
    String path,
    Duration interval,
    String cursorParam,
    String items,
    String next,
    String cursorField,
    String idField,
    Path mapping,
    String initialCursor,
    int maxPages) {
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
  public static final String DEFAULT_CURSOR_PARAM = "updatedSince";
  public static final int DEFAULT_MAX_PAGES = 10;

  public PollConfig {
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(cursorParam, "cursorParam");
    Objects.requireNonNull(items, "items");
    Objects.requireNonNull(mapping, "mapping");
    if (interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException(
          "poll interval " + interval + " must be longer than zero; set e.g. 30s (the default)");
    }
    if (maxPages < 1) {
      throw new IllegalArgumentException(
          "maxPages " + maxPages + " is less than 1; set at least 1 (default "
              + DEFAULT_MAX_PAGES + ")");
    }
  }

  /** The defaults for everything but path and mapping. */
  public static PollConfig of(String path, Path mapping) {
    return new PollConfig(
        path, DEFAULT_INTERVAL, DEFAULT_CURSOR_PARAM, "", null, null, null, mapping, null,
        DEFAULT_MAX_PAGES);
  }
}
