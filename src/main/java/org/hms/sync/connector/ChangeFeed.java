package org.hms.sync.connector;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A connector that can fetch what changed on its external system since a cursor, for polling
 * (e.g. a FHIR {@code _lastUpdated} search).
 */
public interface ChangeFeed {
  /**
   * Changes after {@code cursor}, oldest first, at most one page.
   *
   * @param cursor from the previous page, or {@code null} to start at the beginning
   */
  CompletableFuture<ChangePage> fetchChanges(String cursor);

  /**
   * A stable id of one item of this feed that changes with every change it reports (e.g. {@code
   * Appointment/<id>/_history/<version>}), under which the inbox keeps it once; {@code null} when
   * the feed has none (the item's content then names it).
   */
  default String itemId(JsonNode item) {
    return null;
  }

  /**
   * @param items as the system sent them
   * @param nextCursor where the next call continues; equal to the given cursor when nothing changed
   * @param more true when another page is ready at once
   */
  record ChangePage(List<JsonNode> items, String nextCursor, boolean more) {}
}
