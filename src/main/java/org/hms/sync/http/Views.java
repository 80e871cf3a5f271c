package org.hms.sync.http;

import java.util.Set;
import org.hms.sync.connector.Capability;
import org.hms.sync.connector.HealthChecks;
import org.hms.sync.delivery.ConnectorLimits;
import org.hms.sync.delivery.ConnectorLoad;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hms.sync.delivery.Attempt;
import org.hms.sync.delivery.ConnectorStats;
import org.hms.sync.delivery.Delivery;
import org.hms.sync.operations.ConnectorOverview;
import org.hms.sync.scheduling.Appointment;
import org.hms.sync.scheduling.Immunization;
import org.hms.sync.scheduling.Location;
import org.hms.sync.scheduling.Patient;
import org.hms.sync.scheduling.Slot;

/** JSON shapes of the API, built as ordered maps (null fields are kept, so clients see them). */
final class Views {
  private Views() {}

  static Map<String, Object> patient(Patient patient) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", patient.id());
    view.put("mrn", patient.mrn());
    view.put("givenName", patient.givenName());
    view.put("familyName", patient.familyName());
    view.put("birthDate", patient.birthDate().toString());
    return view;
  }

  static Map<String, Object> location(Location location) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", location.id());
    view.put("code", location.code());
    view.put("name", location.name());
    return view;
  }

  static Map<String, Object> slot(Slot slot) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", slot.id());
    view.put("locationId", slot.locationId());
    view.put("start", slot.start().toString());
    view.put("end", slot.end().toString());
    view.put("capacity", slot.capacity());
    view.put("booked", slot.booked());
    view.put("available", slot.capacity() - slot.booked());
    return view;
  }

  static Map<String, Object> appointment(Appointment appointment) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", appointment.id());
    view.put("patientId", appointment.patientId());
    view.put("slotId", appointment.slotId());
    view.put("locationId", appointment.locationId());
    view.put("start", appointment.start().toString());
    view.put("end", appointment.end().toString());
    view.put("status", appointment.status().wire());
    view.put("version", appointment.version());
    view.put("updatedAt", appointment.updatedAt().toString());
    view.put("cancelReason", appointment.cancelReason());
    view.put("immunization", immunization(appointment.immunization()));
    return view;
  }

  private static Map<String, Object> immunization(Immunization immunization) {
    if (immunization == null) {
      return null;
    }
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("cvxCode", immunization.cvxCode());
    view.put("lotNumber", immunization.lotNumber());
    view.put("dose", immunization.dose());
    view.put("manufacturer", immunization.manufacturer());
    view.put("route", immunization.route());
    view.put("site", immunization.site());
    view.put("administeredAt", text(immunization.administeredAt()));
    return view;
  }

  static Map<String, Object> delivery(Delivery delivery) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", delivery.id());
    view.put("idempotencyKey", delivery.id());
    view.put("eventId", delivery.eventId());
    view.put("connector", delivery.connectorId());
    view.put("appointmentId", delivery.appointmentId());
    view.put("sequence", delivery.sequence());
    view.put("eventType", delivery.eventType());
    view.put("status", delivery.status().wire());
    view.put("attemptCount", delivery.attempts());
    view.put("nextAttemptAt", text(delivery.nextAttemptAt()));
    view.put("lastHttpStatus", delivery.lastHttpStatus());
    view.put("lastError", delivery.lastError());
    view.put("createdAt", text(delivery.createdAt()));
    view.put("updatedAt", text(delivery.updatedAt()));
    view.put("completedAt", text(delivery.completedAt()));
    return view;
  }

  static Map<String, Object> deliveryWithAttempts(Delivery delivery, List<Attempt> attempts) {
    Map<String, Object> view = delivery(delivery);
    view.put("attempts", attempts.stream().map(Views::attempt).toList());
    return view;
  }

  private static Map<String, Object> attempt(Attempt attempt) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("attempt", attempt.attempt());
    view.put("node", attempt.nodeId());
    view.put("startedAt", text(attempt.startedAt()));
    view.put("durationMs", attempt.durationMs());
    view.put("httpStatus", attempt.httpStatus());
    view.put("outcome", attempt.outcome());
    view.put("errorClass", attempt.errorClass());
    view.put("errorMessage", attempt.errorMessage());
    view.put("nextAttemptAt", text(attempt.nextAttemptAt()));
    return view;
  }

  /** A poller's state: where its cursor stands and how its last polls went (no PHI). */
  static Map<String, Object> pollState(org.hms.sync.inbound.poll.PollState state) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("cursor", state.cursor());
    view.put("lastPolledAt", state.lastPolledAt() == null ? null : state.lastPolledAt().toString());
    view.put("nextPollAt", state.nextPollAt() == null ? null : state.nextPollAt().toString());
    view.put("failures", state.failures());
    view.put("lastError", state.lastError());
    return view;
  }

  /** The newest reconciliation of a connector, in short. */
  static Map<String, Object> reconciliationSummary(org.hms.sync.reconcile.Reconciliation run) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", run.id());
    view.put("status", run.status());
    view.put("trigger", run.trigger());
    view.put("finishedAt", run.finishedAt() == null ? null : run.finishedAt().toString());
    view.put("drift", run.summary() == null ? null : run.summary().drift());
    view.put("repairs", run.summary() == null ? null : run.summary().repairs());
    return view;
  }

  static Map<String, Object> connector(ConnectorOverview.ConnectorState state, Instant now) {
    ConnectorStats stats = state.stats();
    ConnectorLimits limits = state.limits();
    ConnectorLoad load = state.load();
    HealthChecks.Checked health = state.health();
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", state.config().id());
    view.put("type", state.config().type());
    view.put("baseUrl", state.config().baseUrl().toString());
    view.put("backlog", stats.backlog());
    view.put("pending", stats.pending());
    view.put("retrying", stats.retrying());
    view.put("parked", stats.parked());
    view.put("dead", stats.dead());
    view.put(
        "oldestPendingAgeSeconds",
        stats.oldestPendingSince() == null
            ? null
            : Math.max(0, Duration.between(stats.oldestPendingSince(), now).toMillis() / 1000.0));
    view.put("lastSuccessAt", text(stats.lastSuccessAt()));
    view.put("lastErrorAt", text(stats.lastErrorAt()));
    view.put("lastError", stats.lastError());
    view.put("circuitBreaker", state.breaker() == null ? null : circuit(state.breaker()));
    Map<String, Object> limitView = new LinkedHashMap<>();
    limitView.put(
        "maxConcurrency",
        limits == null || limits.maxConcurrency() == Integer.MAX_VALUE
            ? null
            : limits.maxConcurrency());
    limitView.put("rateLimit", limits == null ? null : limits.ratePerSecond());
    limitView.put("inFlight", load.attempting());
    limitView.put("waiting", load.waiting());
    limitView.put("rateLimited", load.rateLimited());
    view.put("limits", limitView);
    view.put("capabilities", state.capabilities().stream().map(Capability::label).toList());
    if (health == null) {
      view.put("health", null);
    } else {
      Map<String, Object> healthView = new LinkedHashMap<>();
      healthView.put("status", health.health().healthy() ? "up" : "down");
      healthView.put("detail", health.health().detail());
      healthView.put("checkedAt", text(health.checkedAt()));
      view.put("health", healthView);
    }
    if (state.polled()) {
      view.put("poll", state.poll() == null ? null : pollState(state.poll()));
    }
    if (state.lastReconciliation() != null) {
      view.put("lastReconciliation", reconciliationSummary(state.lastReconciliation()));
    }
    return view;
  }

  private static Map<String, Object> circuit(
      io.github.resilience4j.circuitbreaker.CircuitBreaker breaker) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put(
        "state",
        breaker.getState().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    float rate = breaker.getMetrics().getFailureRate();
    view.put("failureRatePercent", rate < 0 ? null : (double) rate);
    view.put("judgedAttempts", breaker.getMetrics().getNumberOfBufferedCalls());
    view.put("failedAttempts", breaker.getMetrics().getNumberOfFailedCalls());
    return view;
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
