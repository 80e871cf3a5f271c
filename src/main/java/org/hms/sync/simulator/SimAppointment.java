package org.hms.sync.simulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An appointment as the simulated IIS holds it.
 *
 * @param externalId the id the IIS gave it, {@code iis-<n>}
 * @param fields the JSON fields received, merged over every update; deeply unmodifiable
 * @param status {@code booked} unless a body said otherwise; {@code cancelled} after a DELETE
 * @param updates how many PUT, PATCH and DELETE requests were applied to it (0 after create), so
 *     a duplicate delivery shows up as one update too many
 * @param createdAt when it was created
 * @param updatedAt when it last changed
 */
public record SimAppointment(
    String externalId,
    Map<String, Object> fields,
    String status,
    int updates,
    Instant createdAt,
    Instant updatedAt) {

  public SimAppointment {
    fields = freezeMap(fields);
  }

  private static Map<String, Object> freezeMap(Map<?, ?> map) {
    Map<String, Object> copy = new LinkedHashMap<>();
    map.forEach((key, value) -> copy.put(String.valueOf(key), freeze(value)));
    return Collections.unmodifiableMap(copy);
  }

  private static Object freeze(Object value) {
    if (value instanceof Map<?, ?> map) {
      return freezeMap(map);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      list.forEach(element -> copy.add(freeze(element)));
      return Collections.unmodifiableList(copy);
    }
    return value;
  }
}
