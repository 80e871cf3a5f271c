package org.hms.sync.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.hms.sync.Failures;
import org.hms.sync.Ids;
import org.hms.sync.config.ConflictPolicy;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.connector.AppointmentLister;
import org.hms.sync.connector.ListedAppointment;
import org.hms.sync.delivery.Connector;
import org.hms.sync.inbound.InboxItem;
import org.hms.sync.inbound.InboxRepository;
import org.hms.sync.inbound.change.InboundChange;
import org.hms.sync.inbound.change.InboundChange.Action;
import org.hms.sync.inbound.change.InboundChanges;
import org.hms.sync.json.Json;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.reconcile.Difference.Field;
import org.hms.sync.reconcile.Difference.Repair;
import org.hms.sync.scheduling.SchedulingException;
import org.hms.sync.scheduling.SchedulingService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs reconciliations: lists the connector's appointments in a range, compares them with the
 * EMR's, stores the report and, when asked, queues repairs (see the package documentation for how
 * the side that is right is chosen). Runs may repeat: a second run after the repairs are applied
 * finds nothing more to do.
 */
public final class Reconciler {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
  /** The longest range one run takes; longer ones are split by the caller. */
  public static final Duration MAX_RANGE = Duration.ofDays(366);
  /** A report lists at most this many differences (all are counted and repaired). */
  static final int MAX_DIFFERENCES_SHOWN = 10_000;

  private final Map<String, ConnectorConfig> configs;
  private final Map<String, Connector> connectors;
  private final ReconcileRepository repository;
  private final SchedulingService scheduling;
  private final InboxRepository inbox;
  private final Runnable inboundQueued;
  private final Clock clock;

  /**
   * @param inboundQueued called after inbound changes were put in the inbox (wakes the processor)
   */
  public Reconciler(
      List<ConnectorConfig> configs,
      Map<String, Connector> connectors,
      ReconcileRepository repository,
      SchedulingService scheduling,
      InboxRepository inbox,
      Runnable inboundQueued,
      Clock clock) {
    Map<String, ConnectorConfig> byId = new LinkedHashMap<>();
    configs.forEach(config -> byId.put(config.id(), config));
    this.configs = byId;
    this.connectors = Map.copyOf(connectors);
    this.repository = repository;
    this.scheduling = scheduling;
    this.inbox = inbox;
    this.inboundQueued = inboundQueued;
    this.clock = clock;
  }

  /** Ids of the connectors that can be reconciled. */
  public List<String> reconcilable() {
    return connectors.entrySet().stream()
        .filter(entry -> lister(entry.getValue()).isPresent())
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }

  /**
   * Checks a request before running it.
   *
   * @throws ReconcileException.UnknownConnector when the connector is not configured
   * @throws ReconcileException when it cannot list appointments or the range is wrong
   */
  public void check(String connectorId, Instant from, Instant to) {
    Connector connector = connectors.get(connectorId);
    if (connector == null) {
      throw new ReconcileException.UnknownConnector(
          "no connector '" + connectorId + "'; configured: " + connectors.keySet().stream()
              .sorted().toList());
    }
    if (lister(connector).isEmpty()) {
      throw new ReconcileException(
          "connector '" + connectorId + "' cannot list appointments, so it cannot be reconciled;"
              + " give it a routes.list (rest connectors; fhir connectors list by themselves);"
              + " reconcilable: " + reconcilable());
    }
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (!from.isBefore(to)) {
      throw new ReconcileException("from (" + from + ") must be before to (" + to + ")");
    }
    if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
      throw new ReconcileException(
          "the range from " + from + " to " + to + " is longer than " + MAX_RANGE.toDays()
              + " days; reconcile it in parts");
    }
  }

  /**
   * Reconciles one connector over {@code [from, to)} and stores the report. A failure of the
   * listing gives a stored report with status failed, not an exception.
   *
   * @param trigger cli, api or schedule
   * @throws ReconcileException when the request itself is wrong (see {@link #check})
   */
  public Reconciliation run(
      String connectorId, Instant from, Instant to, boolean repair, String trigger) {
    check(connectorId, from, to);
    Instant startedAt = now();
    Reconciliation running =
        new Reconciliation(
            Ids.newId(), connectorId, from, to, repair, trigger, Reconciliation.RUNNING,
            startedAt, null, null, null, null, null, null, null);
    repository.insert(running);
    log.info(
        "reconciliation {} of connector {} from {} to {} started ({}{})", running.id(),
        connectorId, from, to, trigger, repair ? ", repairing" : "");
    Reconciliation done;
    try {
      done = compare(running, lister(connectors.get(connectorId)).orElseThrow());
    } catch (RuntimeException failure) {
      done =
          new Reconciliation(
              running.id(), connectorId, from, to, repair, trigger, Reconciliation.FAILED,
              startedAt, now(), null, null, null, null, null,
              Failures.describe(failure));
      log.warn(
          "reconciliation {} of connector {} failed: {}; nothing was repaired, run it again once"
              + " the cause is fixed", running.id(), connectorId, done.error());
    }
    repository.update(done);
    if (done.summary() != null) {
      log.info(
          "reconciliation {} of connector {} done: {} in sync, {} drift ({} missing at external,"
              + " {} missing in EMR, {} mismatched), {} in flight, {} repair(s) queued",
          done.id(), connectorId, done.summary().inSync(), done.summary().drift(),
          done.summary().missingAtExternal(), done.summary().missingInEmr(),
          done.summary().mismatched(), done.summary().inFlight(), done.summary().repairs());
    }
    return done;
  }

  public Optional<Reconciliation> find(String id) {
    return repository.find(id);
  }

  /**
   * The newest reconciliations first, of one connector or (null) of all.
   *
   * @throws ReconcileException when the connector is not configured
   */
  public List<Reconciliation> list(String connectorId, int limit) {
    if (connectorId != null && !configs.containsKey(connectorId)) {
      throw new ReconcileException(
          "no connector '" + connectorId + "'; configured: "
              + configs.keySet().stream().sorted().toList());
    }
    return repository.list(connectorId, limit);
  }

  private Reconciliation compare(Reconciliation run, AppointmentLister lister) {
    String connectorId = run.connectorId();
    AppointmentLister.Listing listing = lister.list(run.from(), run.to());
    List<EmrAppointment> emr = repository.appointmentsStarting(run.from(), run.to());
    Map<String, EmrAppointment> emrById = new LinkedHashMap<>();
    emr.forEach(appointment -> emrById.put(appointment.id(), appointment));

    List<Difference> differences = new ArrayList<>();
    List<String> inFlight = new ArrayList<>();
    Set<String> matched = new HashSet<>();
    Map<String, SyncState> states = new LinkedHashMap<>();
    int external = 0;
    int inSync = 0;
    Set<String> seenExternalIds = new HashSet<>();
    for (ListedAppointment listed : listing.appointments()) {
      if (!seenExternalIds.add(listed.externalId())) {
        continue; // listed twice (e.g. on two pages): judged once
      }
      boolean outside =
          listed.start() != null
              && (listed.start().isBefore(run.from()) || !listed.start().isBefore(run.to()));
      Optional<EmrAppointment> found = match(connectorId, listed, emrById);
      if (outside && found.map(appointment -> !emrById.containsKey(appointment.id())).orElse(true)) {
        continue; // the system listed more than the range, and neither side has it in the range
      }
      external++;
      if (found.isEmpty()) {
        if (!listed.cancelled()) {
          differences.add(missingInEmr(listed));
        } else {
          inSync++; // cancelled there, unknown here: nothing is booked on either side
        }
        continue;
      }
      EmrAppointment appointment = found.get();
      if (!matched.add(appointment.id())) {
        differences.add(
            new Difference(
                Difference.MISMATCH, appointment.id(), listed.externalId(),
                List.of(new Field("externalId", null, listed.externalId())), Difference.TRUTH_EMR,
                null));
        continue;
      }
      List<Field> fields = differing(appointment, listed);
      if (fields.isEmpty()) {
        inSync++;
        continue;
      }
      SyncState state = repository.syncState(connectorId, appointment.id());
      if (state.inFlight()) {
        inFlight.add(appointment.id());
        continue;
      }
      states.put(appointment.id(), state);
      differences.add(
          new Difference(
              Difference.MISMATCH, appointment.id(), listed.externalId(), fields,
              truth(appointment, listed, state), null));
    }
    for (EmrAppointment appointment : emr) {
      if (matched.contains(appointment.id()) || appointment.cancelled()) {
        continue;
      }
      SyncState state = repository.syncState(connectorId, appointment.id());
      if (state.inFlight()) {
        inFlight.add(appointment.id());
        continue;
      }
      differences.add(
          new Difference(
              Difference.MISSING_AT_EXTERNAL, appointment.id(), state.externalId(), List.of(),
              Difference.TRUTH_EMR, null));
    }

    int repairs = 0;
    if (run.repair()) {
      Map<String, ListedAppointment> listedByExternalId = new LinkedHashMap<>();
      listing.appointments().forEach(listed -> listedByExternalId.put(listed.externalId(), listed));
      List<Difference> repaired = new ArrayList<>();
      boolean queuedInbound = false;
      for (Difference difference : differences) {
        Repair repair =
            repair(run, difference, listedByExternalId.get(difference.externalId()), emrById,
                states.get(difference.appointmentId()));
        if (!repair.action().equals(Repair.NONE)) {
          repairs++;
          queuedInbound |= repair.action().equals(Repair.INBOUND);
        }
        repaired.add(difference.withRepair(repair));
      }
      differences = repaired;
      if (queuedInbound) {
        inboundQueued.run();
      }
    }
    List<String> notes = new ArrayList<>();
    List<Difference> shown = differences;
    if (differences.size() > MAX_DIFFERENCES_SHOWN) {
      shown = differences.subList(0, MAX_DIFFERENCES_SHOWN);
      notes.add("the report lists the first " + MAX_DIFFERENCES_SHOWN + " of "
          + differences.size() + " differences; the summary counts them all; reconcile a shorter"
          + " range to see the rest");
    }
    int waiting = repository.unfinishedInbound(connectorId);
    if (waiting > 0) {
      notes.add(waiting + " inbound item(s) of this connector are not applied yet; differences"
          + " they explain go away once they are");
    }
    int missingAtExternal = count(differences, Difference.MISSING_AT_EXTERNAL);
    int missingInEmr = count(differences, Difference.MISSING_IN_EMR);
    int mismatched = count(differences, Difference.MISMATCH);
    Reconciliation.Summary summary =
        new Reconciliation.Summary(
            emr.size(), external, inSync, missingAtExternal, missingInEmr, mismatched,
            inFlight.size(), listing.unreadable().size(),
            missingAtExternal + missingInEmr + mismatched, repairs);
    return new Reconciliation(
        run.id(), connectorId, run.from(), run.to(), run.repair(), run.trigger(),
        Reconciliation.COMPLETED, run.startedAt(), now(), summary, shown, inFlight,
        listing.unreadable(), notes, null);
  }

  /** By our appointment id when the system keeps it (and we have it), else by its id. */
  private Optional<EmrAppointment> match(
      String connectorId, ListedAppointment listed, Map<String, EmrAppointment> emrById) {
    if (listed.appointmentId() != null) {
      EmrAppointment inRange = emrById.get(listed.appointmentId());
      if (inRange != null) {
        return Optional.of(inRange);
      }
      Optional<EmrAppointment> anywhere = repository.appointment(listed.appointmentId());
      if (anywhere.isPresent()) {
        return anywhere;
      }
    }
    return scheduling
        .findAppointmentIdByExternalId(connectorId, listed.externalId())
        .flatMap(id -> Optional.ofNullable(emrById.get(id)).or(() -> repository.appointment(id)));
  }

  private static Difference missingInEmr(ListedAppointment listed) {
    return new Difference(
        Difference.MISSING_IN_EMR, null, listed.externalId(), List.of(), Difference.TRUTH_EXTERNAL,
        null);
  }

  /**
   * Status, start and location that differ; a side that does not say (null) is not compared, and
   * two cancelled appointments agree whatever their time.
   */
  static List<Field> differing(EmrAppointment emr, ListedAppointment listed) {
    List<Field> fields = new ArrayList<>();
    if (!emr.status().equals(listed.status())) {
      fields.add(new Field("status", emr.status(), listed.status()));
    }
    if (emr.cancelled() && listed.cancelled()) {
      return fields;
    }
    if (listed.start() != null && !listed.start().equals(emr.start())) {
      fields.add(new Field("start", emr.start().toString(), listed.start().toString()));
    }
    if (listed.locationCode() != null && !listed.locationCode().equals(emr.locationCode())) {
      fields.add(new Field("location", emr.locationCode(), listed.locationCode()));
    }
    return fields;
  }

  /**
   * Three-way: against the state the connector is known to have had. Only the EMR moved: emr.
   * Only the external side moved: external. Both: both. No record of that state: emr.
   */
  private static String truth(EmrAppointment emr, ListedAppointment listed, SyncState state) {
    EmrAppointment known = state.known();
    if (known == null) {
      return Difference.TRUTH_EMR;
    }
    boolean emrMoved = emr.version() != known.version();
    boolean externalMoved = !differing(known, listed).isEmpty();
    if (emrMoved && externalMoved) {
      return Difference.TRUTH_BOTH;
    }
    return externalMoved ? Difference.TRUTH_EXTERNAL : Difference.TRUTH_EMR;
  }

  private Repair repair(
      Reconciliation run,
      Difference difference,
      ListedAppointment listed,
      Map<String, EmrAppointment> emrById,
      SyncState state) {
    ConnectorConfig config = configs.get(run.connectorId());
    try {
      return switch (difference.kind()) {
        case Difference.MISSING_IN_EMR -> book(run, listed);
        case Difference.MISSING_AT_EXTERNAL -> {
          if (difference.externalId() != null
              && !lister(connectors.get(run.connectorId())).orElseThrow().createsConditionally()) {
            yield Repair.none(
                "the external system had it as " + difference.externalId() + " but does not list"
                    + " it in this range (moved outside it, or lost); reconcile a wider range, or"
                    + " replay its deliveries");
          }
          EmrAppointment appointment = emrById.get(difference.appointmentId());
          yield resend(run, appointment, EventTypes.CREATED, config);
        }
        default -> mismatch(run, difference, listed, config, state);
      };
    } catch (SchedulingException.VersionMismatch moved) {
      return Repair.none("the appointment changed during the reconciliation; the next run judges it"
          + " again");
    }
  }

  private Repair mismatch(
      Reconciliation run,
      Difference difference,
      ListedAppointment listed,
      ConnectorConfig config,
      SyncState state) {
    EmrAppointment appointment =
        repository.appointment(difference.appointmentId()).orElseThrow();
    boolean externalWinsTies =
        config.inbound().conflictPolicy() != ConflictPolicy.EMR_WINS;
    boolean inbound =
        difference.truth().equals(Difference.TRUTH_EXTERNAL)
            || (difference.truth().equals(Difference.TRUTH_BOTH) && externalWinsTies);
    if (difference.fields().stream().anyMatch(field -> field.name().equals("externalId"))) {
      return Repair.none("two items of the external system point to this appointment; remove one"
          + " there");
    }
    if (inbound) {
      List<InboundChange> changes = inboundChanges(appointment, listed, difference, state);
      if (!changes.isEmpty()) {
        return queueInbound(run, listed, changes);
      }
      // The EMR cannot follow (it does not reopen cancelled or completed appointments): it stays
      // the truth, and the external side gets the EMR's state.
    }
    if (listed != null) {
      // The corrective delivery goes to the item as listed. Where no id is stored (its create's
      // response gave none), the listing's is kept for later paths too; a fhir connector drops
      // the stored version, so the repair reads the current one instead of meeting a conflict.
      String stored = state == null ? null : state.externalId();
      String target =
          lister(connectors.get(run.connectorId())).orElseThrow().repairExternalId(stored, listed);
      if (target != null && !target.equals(stored)) {
        repository.rememberExternalId(run.connectorId(), appointment.id(), target, now());
      }
    }
    String type =
        switch (appointment.status()) {
          case "cancelled" -> EventTypes.CANCELLED;
          case "completed" -> EventTypes.COMPLETED;
          default -> EventTypes.RESCHEDULED;
        };
    return resend(run, appointment, type, config);
  }

  /**
   * The changes that make the EMR follow the external side; empty when no inbound change can (a
   * cancelled or completed EMR appointment is not reopened). Based on the version the connector
   * is known to have had when both sides moved, so the conflict policy judges them.
   */
  private static List<InboundChange> inboundChanges(
      EmrAppointment emr, ListedAppointment listed, Difference difference, SyncState state) {
    long base =
        difference.truth().equals(Difference.TRUTH_BOTH) && state.known() != null
            ? state.known().version()
            : emr.version();
    List<InboundChange> changes = new ArrayList<>();
    boolean emrBooked = emr.status().equals(ListedAppointment.BOOKED);
    boolean moved =
        difference.fields().stream().anyMatch(field -> !field.name().equals("status"));
    switch (listed.status()) {
      case ListedAppointment.CANCELLED -> {
        if (!emr.cancelled()) {
          changes.add(change(Action.CANCEL, emr, listed, base));
        }
      }
      case ListedAppointment.COMPLETED -> {
        if (emrBooked) {
          if (moved) {
            changes.add(change(Action.RESCHEDULE, emr, listed, base));
            base = base + 1;
          }
          changes.add(change(Action.COMPLETE, emr, listed, base));
        }
      }
      default -> {
        if (emrBooked && moved) {
          changes.add(change(Action.RESCHEDULE, emr, listed, base));
        }
      }
    }
    return changes;
  }

  private static InboundChange change(
      Action action, EmrAppointment emr, ListedAppointment listed, long base) {
    return new InboundChange(
        action, listed.externalId(), emr.id(), null,
        action == Action.RESCHEDULE ? (listed.start() == null ? emr.start() : listed.start())
            : null,
        action == Action.RESCHEDULE
            ? (listed.locationCode() == null ? emr.locationCode() : listed.locationCode())
            : null,
        null,
        action == Action.CANCEL ? "cancelled at the external system (found by reconciliation)"
            : null,
        base);
  }

  private Repair book(Reconciliation run, ListedAppointment listed) {
    if (listed.patientMrn() == null || listed.start() == null || listed.locationCode() == null) {
      return Repair.none("the listing does not give patientMrn, start and locationCode, so it"
          + " cannot be booked in the EMR; book it by hand");
    }
    InboundChange book =
        new InboundChange(
            Action.BOOK, listed.externalId(), null, null, listed.start(), listed.locationCode(),
            listed.patientMrn(), null, null);
    return queueInbound(run, listed, List.of(book));
  }

  private Repair queueInbound(
      Reconciliation run, ListedAppointment listed, List<InboundChange> changes) {
    String id = Ids.newId();
    String changesJson =
        Json.write(changes.stream().map(InboundChange::toMap).toList());
    InboxItem item =
        InboxItem.received(
            id, run.connectorId(), "reconcile:" + run.id() + ":" + listed.externalId(), now(),
            "{}", Json.write(listed), changesJson);
    inbox.insertIfAbsent(item);
    return new Repair(
        Repair.INBOUND, null, id,
        changes.stream().map(change -> change.action().wire()).reduce((a, b) -> a + ", " + b)
            .orElse("") + " queued in the inbox; the connector's conflict policy applies");
  }

  private Repair resend(
      Reconciliation run, EmrAppointment appointment, String eventType, ConnectorConfig config) {
    if (config.route(eventType).isEmpty()) {
      return Repair.none("connector '" + config.id() + "' has no route for " + eventType
          + ", so the EMR's state cannot be sent");
    }
    String deliveryId =
        scheduling.resend(
            appointment.id(), appointment.version(), eventType, run.connectorId(),
            "superseded by a corrective delivery of reconciliation " + run.id());
    return new Repair(Repair.DELIVERY, eventType, deliveryId, "the EMR's state is sent again");
  }

  private static int count(List<Difference> differences, String kind) {
    return (int) differences.stream().filter(difference -> difference.kind().equals(kind)).count();
  }

  private static Optional<AppointmentLister> lister(Connector connector) {
    return connector instanceof AppointmentLister lister && lister.canList()
        ? Optional.of(lister)
        : Optional.empty();
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
