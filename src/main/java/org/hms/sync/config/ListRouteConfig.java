package org.hms.sync.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a {@code rest} connector lists the appointments its system holds in a time range, for
 * reconciliation ({@code connectors[].routes.list}).
 *
 * @param method {@code GET} (the default) or {@code POST}
 * @param path appended to baseUrl; {@code {from}} and {@code {to}} are filled in with the range's
 *     ISO-8601 instants (URL-encoded), e.g. {@code /appointments?from={from}&to={to}}
 * @param items JSON pointer to the items array in the response; {@code ""} (the default): the body
 *     itself is the array
 * @param next JSON pointer to the next page's link (absolute or relative URL), or {@code null}:
 *     one page
 * @param mapping the JSONata file (absolute, normalized) reading one listed item as {@code
 *     {externalId, appointmentId, status, start, locationCode, patientMrn}}, or null to skip it
 * @param maxPages at most this many pages per listing (default 100); more is an error, not a
 *     silently short list
 */
public record ListRouteConfig(
    String method, String path, String items, String next, Path mapping, int maxPages) {
  public static final int DEFAULT_MAX_PAGES = 100;

  public ListRouteConfig {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(items, "items");
    Objects.requireNonNull(mapping, "mapping");
    if (maxPages < 1) {
      throw new IllegalArgumentException(
          "maxPages " + maxPages + " is less than 1; set at least 1 (default "
              + DEFAULT_MAX_PAGES + ")");
    }
  }

  /** GET, the body is the array, one page. */
  public static ListRouteConfig get(String path, String items, Path mapping) {
    return new ListRouteConfig("GET", path, items, null, mapping, DEFAULT_MAX_PAGES);
  }
}
