package org.hms.sync.simulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stand-in registry's immunization records, one per ORC-3, oldest first. A VXU is applied whole
 * or not at all. Thread-safe.
 */
final class Vaccinations {

  private final Map<String, Vaccination> byId = new LinkedHashMap<>();

  /**
   * Applies the orders of one VXU in order, or none of them when any is wrong.
   *
   * <p>{@code A} adds the record, or, for an ORC-3 already held, takes it again without a second
   * record: a retried add is idempotent (only {@code messages} grows). {@code U} replaces the CVX
   * code and lot of a held record. {@code D} marks a held record deleted and keeps it; a repeated
   * {@code D} changes nothing but {@code messages}. {@code U} and {@code D} for an ORC-3 never
   * added are errors.
   *
   * @return the errors, empty when the VXU was applied
   */
  synchronized List<AckError> apply(List<VxuOrder> orders) {
    Map<String, Vaccination> working = new LinkedHashMap<>(byId);
    List<AckError> errors = new ArrayList<>();
    for (VxuOrder order : orders) {
      String id = order.vaccinationId();
      Vaccination held = working.get(id);
      int messages = held == null ? 1 : held.messages() + 1;
      switch (order.action()) {
        case "A" ->
            working.put(
                id, new Vaccination(id, order.cvxCode(), order.lotNumber(), "A", messages, false));
        case "U" -> {
          if (held == null) {
            errors.add(notHeld(order));
          } else {
            working.put(
                id, new Vaccination(id, order.cvxCode(), order.lotNumber(), "U", messages, false));
          }
        }
        case "D" -> {
          if (held == null) {
            errors.add(notHeld(order));
          } else {
            working.put(
                id, new Vaccination(id, held.cvxCode(), held.lotNumber(), "D", messages, true));
          }
        }
        default ->
            throw new IllegalArgumentException(
                "RXA-21 must be A, U or D here, got '"
                    + order.action()
                    + "': a bug in VxuReceiver");
      }
    }
    if (errors.isEmpty()) {
      byId.clear();
      byId.putAll(working);
    }
    return errors;
  }

  private static AckError notHeld(VxuOrder order) {
    return AckError.unknownKey(
        "ORC",
        order.sequence(),
        3,
        "RXA-21 is "
            + order.action()
            + " but the registry holds no vaccination with ORC-3 '"
            + order.vaccinationId()
            + "'; report it with RXA-21 A first");
  }

  synchronized List<Vaccination> all() {
    return List.copyOf(byId.values());
  }

  synchronized int size() {
    return byId.size();
  }

  synchronized void clear() {
    byId.clear();
  }
}
