package org.hms.sync.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulated IIS's appointments. Changes to one appointment are atomic for that appointment
 * (each runs inside {@link ConcurrentHashMap#computeIfPresent}); different appointments never wait
 * for each other.
 */
final class AppointmentStore {

  private final Clock clock;
  private final AtomicLong lastNumber;
  private final ConcurrentHashMap<String, StoredAppointment> byId;

  AppointmentStore(Clock clock) {
    this.clock = clock;
    this.lastNumber = new AtomicLong();
    this.byId = new ConcurrentHashMap<>();
  }

  /** Ids keep counting after {@link #clear()}, so a stale id never names a newer appointment. */
  StoredAppointment create(ObjectNode body) {
    StoredAppointment created =
        StoredAppointment.created(lastNumber.incrementAndGet(), body, clock.instant());
    byId.put(created.externalId(), created);
    return created;
  }

  Optional<StoredAppointment> update(String externalId, ObjectNode body) {
    return Optional.ofNullable(
        byId.computeIfPresent(externalId, (id, current) -> current.merged(body, clock.instant())));
  }

  /** Keeps the appointment with status {@code cancelled}. */
  Optional<StoredAppointment> cancel(String externalId) {
    return Optional.ofNullable(
        byId.computeIfPresent(externalId, (id, current) -> current.cancelled(clock.instant())));
  }

  /** A change the IIS makes on its own side (see {@link StoredAppointment#changedHere}). */
  Optional<StoredAppointment> changeHere(String externalId, ObjectNode changedFields, String newStatus) {
    return Optional.ofNullable(
        byId.computeIfPresent(
            externalId, (id, current) -> current.changedHere(changedFields, newStatus, clock.instant())));
  }

  Optional<StoredAppointment> find(String externalId) {
    return Optional.ofNullable(byId.get(externalId));
  }

  /** Every appointment, oldest first. */
  List<StoredAppointment> all() {
    return byId.values().stream()
        .sorted(Comparator.comparingLong(StoredAppointment::number))
        .toList();
  }

  int size() {
    return byId.size();
  }

  void clear() {
    byId.clear();
  }
}
