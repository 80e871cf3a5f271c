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
   * @param items as the system sent them
   * @param nextCursor where the next call continues; equal to the given cursor when nothing changed
   * @param more true when another page is ready at once
   */
  record ChangePage(List<JsonNode> items, String nextCursor, boolean more) {}
}
