package org.hms.sync.connector;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A connector that can show the request it would send, without sending it. */
public interface Previewable {
  /**
   * The request for an event of this type.
   *
   * @param input the mapping input ({@code MappingInput.of}): event, appointment, externalId
   * @param idempotencyKey the delivery's stable key
   * @throws org.hms.sync.mapping.MappingException when a mapping fails
   * @throws IllegalArgumentException when the connector does not take this event type
   */
  Preview preview(String eventType, ObjectNode input, String idempotencyKey);
}
