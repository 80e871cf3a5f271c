package org.hms.sync.http;

import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hms.sync.idempotency.StoredAnswer;
import org.hms.sync.json.Json;

/**
 * The answer to a writing request, made before it is sent, so that it can be stored under the
 * request's {@code Idempotency-Key} with the change it reports and sent again to a retry.
 *
 * @param headers headers that belong to the answer (Location, ETag)
 * @param body JSON text
 */
record Answer(int status, Map<String, String> headers, String body) {
  Answer {
    headers = Map.copyOf(headers);
  }

  /** A JSON answer without extra headers. */
  static Answer json(int status, Object body) {
    return new Answer(status, Map.of(), Json.write(body));
  }

  Answer with(String header, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(header, value);
    return new Answer(status, more, body);
  }

  StoredAnswer stored() {
    return new StoredAnswer(status, headers, body);
  }

  static Answer of(StoredAnswer stored) {
    return new Answer(stored.status(), stored.headers(), stored.body());
  }

  void send(Context ctx) {
    ctx.status(status);
    headers.forEach(ctx::header);
    ctx.contentType("application/json").result(body);
  }
}
