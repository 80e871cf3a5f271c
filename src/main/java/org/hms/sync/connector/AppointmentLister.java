package org.hms.sync.connector;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A connector that can list the appointments its external system holds in a time range, for
 * reconciliation. Items are returned as the system sent them; an inbound mapping reads them.
 */
public interface AppointmentLister {
  CompletableFuture<List<JsonNode>> list(Instant from, Instant to);
}
