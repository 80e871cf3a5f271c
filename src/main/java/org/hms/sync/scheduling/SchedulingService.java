package org.hms.sync.scheduling;

import static java.util.stream.Collectors.joining;

import java.util.EnumSet;
import java.util.Set;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.hms.sync.Ids;
import org.hms.sync.Text;
import org.hms.sync.TimeRange;
import org.hms.sync.db.CommitHook;
import org.hms.sync.db.Transactor;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.delivery.ExternalRefs;
import org.hms.sync.outbox.Outbox;
import org.hms.sync.outbox.OutboxEvent;

/**
 * The EMR scheduling commands. Each command runs in one transaction that changes the appointment,
 * keeps slot capacity and appends the event to the outbox: all of it commits, or none of it. A
 * refused command throws a {@link SchedulingException} and changes nothing.
 */
public final class SchedulingService {
  private static final int MAX_LIST = 1000;

  private final Transactor transactor;
  private final SchedulingRepository repository = new SchedulingRepository();
  private final Outbox outbox;
  private final SnapshotEncoder encoder;
  private final Clock clock;

  public SchedulingService(
      Transactor transactor, Outbox outbox, SnapshotEncoder encoder, Clock clock) {
    this.transactor = transactor;
    this.outbox = outbox;
    this.encoder = encoder;
    this.clock = clock;
  }

  public Patient createPatient(String mrn, String givenName, String familyName, LocalDate birthDate) {
    return createPatient(mrn, givenName, familyName, birthDate, CommitHook.none());
  }

  /** As {@link #createPatient(String, String, String, LocalDate)}, with {@code hook} in its transaction. */
  public Patient createPatient(
      String mrn,
      String givenName,
      String familyName,
      LocalDate birthDate,
      CommitHook<? super Patient> hook) {
    requireText("mrn", mrn, 64);
    requireText("givenName", givenName, 200);
    requireText("familyName", familyName, 200);
    if (birthDate == null) {
      throw new SchedulingException.Invalid("birthDate is required (YYYY-MM-DD)");
    }
    if (birthDate.isAfter(LocalDate.now(clock))) {
      throw new SchedulingException.Invalid("birthDate lies in the future");
    }
    if (!TimeRange.contains(birthDate)) {
      throw new SchedulingException.Invalid(
          "birthDate lies before " + TimeRange.FIRST_YEAR + "; check the year");
    }
    Patient patient = new Patient(newId(), mrn, givenName, familyName, birthDate);
    return transactor.inTransaction(
        "create patient",
        connection -> {
          if (repository.mrnExists(connection, mrn)) {
            throw new SchedulingException.Conflict("a patient with this mrn already exists");
          }
          repository.insertPatient(connection, patient, now());
          hook.beforeCommit(connection, patient);
          return patient;
        });
  }

  public Optional<Patient> findPatient(String id) {
    return transactor.inTransaction("find patient", c -> repository.findPatient(c, id));
  }

  public Location createLocation(String code, String name) {
    return createLocation(code, name, CommitHook.none());
  }

  /** As {@link #createLocation(String, String)}, with {@code hook} in its transaction. */
  public Location createLocation(String code, String name, CommitHook<? super Location> hook) {
    requireText("code", code, 64);
    requireText("name", name, 200);
    Location location = new Location(newId(), code, name);
    return transactor.inTransaction(
        "create location",
        connection -> {
          if (repository.locationCodeExists(connection, code)) {
            throw new SchedulingException.Conflict(
                "a location with code '" + code + "' already exists");
          }
          repository.insertLocation(connection, location, now());
          hook.beforeCommit(connection, location);
          return location;
        });
  }

  public Optional<Location> findLocation(String id) {
    return transactor.inTransaction("find location", c -> repository.findLocation(c, id));
  }

  public Slot createSlot(String locationId, Instant start, Instant end, int capacity) {
    return createSlot(locationId, start, end, capacity, CommitHook.none());
  }

  /** As {@link #createSlot(String, Instant, Instant, int)}, with {@code hook} in its transaction. */
  public Slot createSlot(
      String locationId, Instant start, Instant end, int capacity, CommitHook<? super Slot> hook) {
    requireText("locationId", locationId, 36);
    if (start == null || end == null) {
      throw new SchedulingException.Invalid(
          "start and end are required ISO-8601 instants, e.g. 2027-03-01T09:00:00Z");
    }
    if (!TimeRange.contains(start) || !TimeRange.contains(end)) {
      throw new SchedulingException.Invalid(
          "start and end must lie in the years " + TimeRange.FIRST_YEAR + " to "
              + TimeRange.LAST_YEAR);
    }
    if (!end.isAfter(start)) {
      throw new SchedulingException.Invalid(
          "end (" + end + ") must be after start (" + start + ")");
    }
    if (capacity < 1 || capacity > 10_000) {
      throw new SchedulingException.Invalid(
          "capacity must be between 1 and 10000, was " + capacity);
    }
    Slot slot = new Slot(newId(), locationId, start, end, capacity, 0);
    return transactor.inTransaction(
        "create slot",
        connection -> {
          if (repository.findLocation(connection, locationId).isEmpty()) {
            throw new SchedulingException.NotFound("location", locationId);
          }
          repository.insertSlot(connection, slot, now());
          hook.beforeCommit(connection, slot);
          return slot;
        });
  }

  public Optional<Slot> findSlot(String id) {
    return transactor.inTransaction("find slot", c -> repository.findSlot(c, id));
  }

  public Optional<Appointment> findAppointment(String id) {
    return transactor.inTransaction("find appointment", c -> repository.findAppointment(c, id));
  }

  public Optional<AppointmentSnapshot> findSnapshot(String id) {
    return transactor.inTransaction(
        "find appointment",
        connection -> {
          Optional<Appointment> appointment = repository.findAppointment(connection, id);
          if (appointment.isEmpty()) {
            return Optional.empty();
          }
          return Optional.of(snapshot(connection, appointment.get()));
        });
  }

  /** The patient with this MRN (PHI: the caller must not log it). */
  public Optional<Patient> findPatientByMrn(String mrn) {
    return transactor.inTransaction(
        "find patient by mrn", c -> repository.findPatientByMrn(c, mrn));
  }

  /** The slots at the location with this code starting at exactly {@code start}. */
  /** The slots at that location starting then: those with room first, then by id. */
  public List<Slot> findSlotsAt(String locationCode, Instant start) {
    return transactor.inTransaction(
        "find slot by location and start", c -> repository.findSlotsAt(c, locationCode, start));
  }

  /** The id of the appointment that connector knows by this external id (external_ref). */
  public Optional<String> findAppointmentIdByExternalId(String connectorId, String externalId) {
    return transactor.inTransaction(
        "find appointment by external id of connector " + connectorId,
        c -> ExternalRefs.appointmentId(c, connectorId, externalId));
  }

  public List<Appointment> listAppointments(String patientId, AppointmentStatus status, int limit) {
    int bounded = Math.max(1, Math.min(limit, MAX_LIST));
    return transactor.inTransaction(
        "list appointments",
        connection -> repository.listAppointments(connection, patientId, status, bounded));
  }

  /** Books the patient into the slot. Throws SlotFull when no place is left. */
  public Appointment book(String patientId, String slotId, String origin) {
    return book(patientId, slotId, origin, null);
  }

  /**
   * Books the patient into the slot for a booking made at the external system {@code origin},
   * which knows the appointment as {@code externalId}: the id is stored (external_ref) in the same
   * transaction as the booking, so a later change from that connector finds the appointment, and a
   * retried booking can tell it happened. Throws SlotFull when no place is left.
   *
   * @param externalId the origin connector's id of the appointment, or {@code null}
   */
  public Appointment book(String patientId, String slotId, String origin, String externalId) {
    return book(patientId, slotId, origin, externalId, CommitHook.none());
  }

  /** As {@link #book(String, String, String, String)}, with {@code hook} in its transaction. */
  public Appointment book(
      String patientId,
      String slotId,
      String origin,
      String externalId,
      CommitHook<? super Appointment> hook) {
    if (externalId != null && origin == null) {
      throw new SchedulingException.Invalid("an external id needs the connector it belongs to");
    }
    requireMax("externalId", externalId, 500);
    requireText("patientId", patientId, 36);
    requireText("slotId", slotId, 36);
    Appointment booked =
        transactor.inTransaction(
            "book appointment",
            connection -> {
              repository
                  .findPatient(connection, patientId)
                  .orElseThrow(() -> new SchedulingException.NotFound("patient", patientId));
              Slot slot =
                  repository
                      .findSlot(connection, slotId)
                      .orElseThrow(() -> new SchedulingException.NotFound("slot", slotId));
              if (!repository.takePlace(connection, slotId)) {
                throw new SchedulingException.SlotFull(slotId, slot.capacity());
              }
              Instant now = now();
              Appointment appointment =
                  new Appointment(
                      newId(),
                      patientId,
                      slotId,
                      slot.locationId(),
                      slot.start(),
                      slot.end(),
                      AppointmentStatus.BOOKED,
                      1,
                      now,
                      null,
                      null);
              repository.insertAppointment(connection, appointment, now);
              if (externalId != null) {
                ExternalRefs.remember(
                    connection, transactor.dialect(), origin,
                    appointment.id(), externalId, now);
              }
              appendEvent(connection, appointment, 1, EventTypes.CREATED, origin);
              hook.beforeCommit(connection, appointment);
              return appointment;
            });
    outbox.committed();
    return booked;
  }

  /** Moves a booked appointment to another slot, atomically: the new place or nothing. */
  public Appointment reschedule(
      String appointmentId, String slotId, Long expectedVersion, String origin) {
    return reschedule(appointmentId, slotId, expectedVersion, origin, CommitHook.none());
  }

  /** As {@link #reschedule(String, String, Long, String)}, with {@code hook} in its transaction. */
  public Appointment reschedule(
      String appointmentId,
      String slotId,
      Long expectedVersion,
      String origin,
      CommitHook<? super Appointment> hook) {
    requireText("slotId", slotId, 36);
    return change(
        appointmentId,
        expectedVersion,
        EventTypes.RESCHEDULED,
        origin,
        EnumSet.of(AppointmentStatus.BOOKED),
        hook,
        (connection, current) -> {
          if (current.slotId().equals(slotId)) {
            throw new SchedulingException.Conflict(
                "appointment '" + appointmentId + "' is already in slot '" + slotId + "'");
          }
          Slot target =
              repository
                  .findSlot(connection, slotId)
                  .orElseThrow(() -> new SchedulingException.NotFound("slot", slotId));
          // Touch the two slot rows in id order so opposite reschedules cannot deadlock.
          if (slotId.compareTo(current.slotId()) < 0) {
            takeOrThrow(connection, target);
            repository.releasePlace(connection, current.slotId());
          } else {
            repository.releasePlace(connection, current.slotId());
            takeOrThrow(connection, target);
          }
          return new Appointment(
              current.id(),
              current.patientId(),
              target.id(),
              target.locationId(),
              target.start(),
              target.end(),
              AppointmentStatus.BOOKED,
              current.version() + 1,
              now(),
              null,
              null);
        });
  }

  /**
   * Cancels a booked appointment and frees its place in the slot. A completed appointment can be
   * cancelled too: that undoes it (the visit or dose was recorded in error), and connectors that
   * reported the dose withdraw it.
   */
  public Appointment cancel(String appointmentId, String reason, Long expectedVersion, String origin) {
    return cancel(appointmentId, reason, expectedVersion, origin, CommitHook.none());
  }

  /** As {@link #cancel(String, String, Long, String)}, with {@code hook} in its transaction. */
  public Appointment cancel(
      String appointmentId,
      String reason,
      Long expectedVersion,
      String origin,
      CommitHook<? super Appointment> hook) {
    requireMax("reason", reason, 500);
    return change(
        appointmentId,
        expectedVersion,
        EventTypes.CANCELLED,
        origin,
        EnumSet.of(AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED),
        hook,
        (connection, current) -> {
          repository.releasePlace(connection, current.slotId());
          // An undone completion keeps its dose, so connectors can withdraw exactly that dose.
          return withState(current, AppointmentStatus.CANCELLED, reason, current.immunization());
        });
  }

  /**
   * Marks a booked appointment as completed, with the dose given if any. Completing a completed
   * appointment again corrects its immunization details (which are then required); the
   * administration time stays unless the correction gives one.
   */
  public Appointment complete(
      String appointmentId, Immunization immunization, Long expectedVersion, String origin) {
    return complete(appointmentId, immunization, expectedVersion, origin, CommitHook.none());
  }

  /** As {@link #complete(String, Immunization, Long, String)}, with {@code hook} in its transaction. */
  public Appointment complete(
      String appointmentId,
      Immunization immunization,
      Long expectedVersion,
      String origin,
      CommitHook<? super Appointment> hook) {
    if (immunization != null) {
      requireText("immunization.cvxCode", immunization.cvxCode(), 16);
      requireMax("immunization.lotNumber", immunization.lotNumber(), 64);
      requireMax("immunization.dose", immunization.dose(), 32);
      requireMax("immunization.manufacturer", immunization.manufacturer(), 16);
      requireMax("immunization.route", immunization.route(), 32);
      requireMax("immunization.site", immunization.site(), 32);
      if (immunization.administeredAt() != null
          && !TimeRange.contains(immunization.administeredAt())) {
        throw new SchedulingException.Invalid(
            "immunization.administeredAt must lie in the years " + TimeRange.FIRST_YEAR + " to "
                + TimeRange.LAST_YEAR);
      }
    }
    return change(
        appointmentId,
        expectedVersion,
        EventTypes.COMPLETED,
        origin,
        EnumSet.of(AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED),
        hook,
        (connection, current) -> {
          Immunization given = immunization;
          if (current.status() == AppointmentStatus.COMPLETED) {
            if (given == null) {
              throw new SchedulingException.Conflict(
                  "appointment '" + appointmentId + "' is completed already; to correct it, send"
                      + " the corrected immunization details");
            }
            Immunization earlier = current.immunization();
            if (given.administeredAt() == null && earlier != null) {
              given =
                  new Immunization(
                      given.cvxCode(),
                      given.lotNumber(),
                      given.dose(),
                      given.manufacturer(),
                      given.route(),
                      given.site(),
                      earlier.administeredAt());
            }
          }
          if (given != null && given.administeredAt() == null) {
            given =
                new Immunization(
                    given.cvxCode(),
                    given.lotNumber(),
                    given.dose(),
                    given.manufacturer(),
                    given.route(),
                    given.site(),
                    now());
          }
          return withState(current, AppointmentStatus.COMPLETED, null, given);
        });
  }

  /** The new state of a booked appointment, computed inside the change's transaction. */
  @FunctionalInterface
  private interface Step {
    Appointment apply(Connection connection, Appointment current) throws SQLException;
  }

  /**
   * Sends the appointment's current state to one connector again, as a corrective event of {@code
   * eventType} (reconciliation's repair): a new event with the next sequence number and the
   * current snapshot, delivered to {@code connectorId} only; the appointment itself (and its
   * version) does not change. That connector's dead and parked deliveries of the appointment are
   * discarded, superseded by this one.
   *
   * @param expectedVersion the version the caller judged by; a newer one throws {@link
   *     SchedulingException.VersionMismatch} and nothing is written
   * @param why recorded on the superseded deliveries
   * @return the corrective delivery's id
   */
  public String resend(
      String appointmentId, long expectedVersion, String eventType, String connectorId, String why) {
    String deliveryId =
        transactor.inTransaction(
            "resend appointment to " + connectorId,
            connection -> {
              SchedulingRepository.Stored stored =
                  repository
                      .lockAppointment(connection, appointmentId)
                      .orElseThrow(
                          () -> new SchedulingException.NotFound("appointment", appointmentId));
              Appointment current = stored.appointment();
              if (current.version() != expectedVersion) {
                throw new SchedulingException.VersionMismatch(
                    appointmentId, expectedVersion, current.version());
              }
              long sequence = stored.eventSequence() + 1;
              repository.updateAppointment(connection, current, sequence);
              AppointmentSnapshot snapshot = snapshot(connection, current);
              return outbox.appendFor(
                  connection,
                  new OutboxEvent(
                      newId(), current.id(), sequence, eventType, now(), null,
                      encoder.encode(snapshot)),
                  connectorId,
                  why);
            });
    outbox.committed();
    return deliveryId;
  }

  /**
   * One change of an existing, booked appointment: lock it, check the version, apply the step,
   * write the new state and its outbox event with the next sequence number, all in one
   * transaction; then wake the delivery engine.
   */
  private Appointment change(
      String appointmentId,
      Long expectedVersion,
      String eventType,
      String origin,
      Set<AppointmentStatus> from,
      CommitHook<? super Appointment> hook,
      Step step) {
    String verb = eventType.substring(eventType.indexOf('.') + 1);
    Appointment changed =
        transactor.inTransaction(
            "appointment " + verb,
            connection -> {
              SchedulingRepository.Stored stored =
                  lockForChange(connection, appointmentId, expectedVersion, verb, from);
              Appointment next = step.apply(connection, stored.appointment());
              long sequence = stored.eventSequence() + 1;
              repository.updateAppointment(connection, next, sequence);
              appendEvent(connection, next, sequence, eventType, origin);
              hook.beforeCommit(connection, next);
              return next;
            });
    outbox.committed();
    return changed;
  }

  private SchedulingRepository.Stored lockForChange(
      Connection connection,
      String appointmentId,
      Long expectedVersion,
      String verb,
      Set<AppointmentStatus> from)
      throws SQLException {
    SchedulingRepository.Stored stored =
        repository
            .lockAppointment(connection, appointmentId)
            .orElseThrow(() -> new SchedulingException.NotFound("appointment", appointmentId));
    Appointment current = stored.appointment();
    if (expectedVersion != null && expectedVersion != current.version()) {
      throw new SchedulingException.VersionMismatch(
          appointmentId, expectedVersion, current.version());
    }
    if (!from.contains(current.status())) {
      throw new SchedulingException.Conflict(
          "appointment '"
              + appointmentId
              + "' is "
              + current.status().wire()
              + "; only "
              + from.stream().map(AppointmentStatus::wire).sorted().collect(joining(" or "))
              + " appointments can be "
              + verb);
    }
    return stored;
  }

  private void takeOrThrow(Connection connection, Slot slot) throws SQLException {
    if (!repository.takePlace(connection, slot.id())) {
      throw new SchedulingException.SlotFull(slot.id(), slot.capacity());
    }
  }

  private Appointment withState(
      Appointment current, AppointmentStatus status, String reason, Immunization immunization) {
    return new Appointment(
        current.id(),
        current.patientId(),
        current.slotId(),
        current.locationId(),
        current.start(),
        current.end(),
        status,
        current.version() + 1,
        now(),
        reason,
        immunization);
  }

  private void appendEvent(
      Connection connection, Appointment appointment, long sequence, String type, String origin)
      throws SQLException {
    AppointmentSnapshot snapshot = snapshot(connection, appointment);
    outbox.append(
        connection,
        new OutboxEvent(
            newId(),
            appointment.id(),
            sequence,
            type,
            appointment.updatedAt(),
            origin,
            encoder.encode(snapshot)));
  }

  private AppointmentSnapshot snapshot(Connection connection, Appointment appointment)
      throws SQLException {
    Patient patient =
        repository
            .findPatient(connection, appointment.patientId())
            .orElseThrow(() -> new SchedulingException.NotFound("patient", appointment.patientId()));
    Location location =
        repository
            .findLocation(connection, appointment.locationId())
            .orElseThrow(
                () -> new SchedulingException.NotFound("location", appointment.locationId()));
    return new AppointmentSnapshot(appointment, patient, location);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static String newId() {
    return Ids.newId();
  }

  /** An optional text: at most {@code maxLength} characters, printable ({@link Text}). */
  private static void requireMax(String field, String value, int maxLength) {
    if (value == null) {
      return;
    }
    if (value.length() > maxLength) {
      throw new SchedulingException.Invalid(
          field + " is longer than " + maxLength + " characters");
    }
    String problem = Text.problem(value);
    if (problem != null) {
      throw new SchedulingException.Invalid(field + " " + problem + "; send printable text");
    }
  }

  private static void requireText(String field, String value, int maxLength) {
    if (value == null || value.isBlank()) {
      throw new SchedulingException.Invalid(field + " is required");
    }
    requireMax(field, value, maxLength);
  }
}
