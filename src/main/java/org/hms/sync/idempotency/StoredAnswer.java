package org.hms.sync.idempotency;

import java.util.Map;

/**
 * The answer a request got, kept under its {@code Idempotency-Key} and sent again to a retry.
 *
 * @param headers the headers that belong to the answer (Location, ETag), not the transport ones
 * @param body the JSON body as sent
 */
public record StoredAnswer(int status, Map<String, String> headers, String body) {
  public StoredAnswer {
    headers = Map.copyOf(headers);
  }
}
