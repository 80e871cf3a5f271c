package org.hms.sync.simulator;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.hms.sync.simulator.IdempotencyStore.Claim;
import org.hms.sync.simulator.IdempotencyStore.Fingerprint;
import org.hms.sync.simulator.SimJson.ParsedBody;

/**
 * Answers {@code /api} requests in two steps, {@link #admit} on arrival and {@link #answer} after
 * any injected latency: authentication, faults, idempotency keys, then the appointment itself;
 * every answer goes into the ledger. Free of HTTP server types.
 */
final class AppointmentApi {

  private final AppointmentStore appointments;
  private final IdempotencyStore idempotency;
  private final Ledger ledger;
  private final Faults faults;
  private final SimJson json;

  AppointmentApi(
      AppointmentStore appointments,
      IdempotencyStore idempotency,
      Ledger ledger,
      Faults faults,
      SimJson json) {
    this.appointments = appointments;
    this.idempotency = idempotency;
    this.ledger = ledger;
    this.faults = faults;
    this.json = json;
  }

  /**
   * A request between arrival and answer: either already {@code decided} (refused or replayed) or
   * to be applied, under {@code claim} when it carries an idempotency key.
   */
  record Admitted(ApiRequest request, Outcome decided, Claim claim) {}

  /**
   * First half, on arrival: authentication, faults, and the idempotency key. A key claimed here is
   * "in flight" until {@link #answer} runs, so injected latency is the time a duplicate gets 409.
   */
  Admitted admit(ApiRequest request) {
    if (!request.authorized()) {
      return decided(
          request,
          refused(
              request,
              401,
              "Missing or wrong bearer token; send the header 'Authorization: Bearer <token>'"));
    }
    if (faults.isDown()) {
      return decided(
          request,
          refused(
              request,
              Outcome.UNAVAILABLE,
              "The IIS is down for maintenance (simulated outage until "
                  + faults.downUntil()
                  + "); retry after the Retry-After delay"));
    }
    if (faults.shouldFail()) {
      return decided(
          request,
          refused(
              request,
              Outcome.UNAVAILABLE,
              "The IIS could not process this request (simulated failure);"
                  + " retry after the Retry-After delay"));
    }
    if (!request.operation().changesState() || request.idempotencyKey() == null) {
      return new Admitted(request, null, null);
    }
    String key = request.idempotencyKey();
    Claim claim =
        idempotency.claim(
            key, new Fingerprint(request.method(), request.path(), json.canonical(request.body())));
    switch (claim.verdict()) {
      case REPLAY:
        return decided(request, claim.stored().asReplay());
      case IN_FLIGHT:
        return decided(
            request,
            refused(
                request,
                409,
                "A request with Idempotency-Key '"
                    + key
                    + "' is still being processed; retry once it has finished"));
      case MISMATCH:
        return decided(
            request,
            refused(
                request,
                422,
                "Idempotency-Key '"
                    + key
                    + "' was already used for a different request (method, path or body differ);"
                    + " use a new key for a new request"));
      case PROCEED:
      default:
        return new Admitted(request, null, claim);
    }
  }

  /** Second half, after any latency: applies an admitted request and records it in the ledger. */
  Outcome answer(Admitted admitted) {
    ApiRequest request = admitted.request();
    Outcome outcome = admitted.decided() != null ? admitted.decided() : applyUnderClaim(admitted);
    ledger.record(
        new LedgerEntry(
            request.position(),
            request.receivedAt(),
            request.method(),
            request.path(),
            request.idempotencyKey(),
            outcome.externalId(),
            outcome.status(),
            outcome.applied(),
            outcome.replayed(),
            request.body()));
    return outcome;
  }

  private Outcome applyUnderClaim(Admitted admitted) {
    Claim claim = admitted.claim();
    if (claim == null) {
      return apply(admitted.request());
    }
    boolean finished = false;
    try {
      Outcome outcome = apply(admitted.request());
      idempotency.complete(claim, outcome);
      finished = true;
      return outcome;
    } finally {
      if (!finished) {
        idempotency.release(claim);
      }
    }
  }

  private static Admitted decided(ApiRequest request, Outcome outcome) {
    return new Admitted(request, outcome, null);
  }

  private Outcome apply(ApiRequest request) {
    switch (request.operation()) {
      case CREATE:
        return create(request);
      case UPDATE:
        return update(request);
      case CANCEL:
        return cancel(request);
      case READ:
        return read(request);
      case LIST:
      default:
        return list(request);
    }
  }

  private Outcome create(ApiRequest request) {
    ParsedBody body = json.parseObject(request.body());
    if (!body.isObject()) {
      return refused(request, 400, body.problem());
    }
    StoredAppointment created = appointments.create(body.object());
    return new Outcome(201, json.write(created.render(json)), created.externalId(), true, false);
  }

  private Outcome update(ApiRequest request) {
    ParsedBody body = json.parseObject(request.body());
    if (!body.isObject()) {
      return refused(request, 400, body.problem());
    }
    Optional<StoredAppointment> updated = appointments.update(request.externalId(), body.object());
    if (updated.isEmpty()) {
      return unknown(request);
    }
    return new Outcome(200, json.write(updated.get().render(json)), request.externalId(), true, false);
  }

  private Outcome cancel(ApiRequest request) {
    Optional<StoredAppointment> cancelled = appointments.cancel(request.externalId());
    if (cancelled.isEmpty()) {
      return unknown(request);
    }
    ObjectNode answer = json.object();
    answer.put("id", request.externalId());
    answer.put("status", StoredAppointment.CANCELLED);
    return new Outcome(200, json.write(answer), request.externalId(), true, false);
  }

  private Outcome read(ApiRequest request) {
    Optional<StoredAppointment> found = appointments.find(request.externalId());
    if (found.isEmpty()) {
      return unknown(request);
    }
    return new Outcome(200, json.write(found.get().render(json)), request.externalId(), false, false);
  }

  /**
   * Every appointment, or with {@code from} and/or {@code to} (ISO-8601 instants) those whose
   * {@code slotTime} is in {@code [from, to)}; one without a slotTime is listed only unfiltered.
   */
  private Outcome list(ApiRequest request) {
    Instant from;
    Instant to;
    try {
      from = request.from() == null ? null : Instant.parse(request.from());
      to = request.to() == null ? null : Instant.parse(request.to());
    } catch (DateTimeParseException notInstant) {
      return refused(request, 400, "Query parameters from and to must be ISO-8601 instants, e.g."
          + " ?from=2027-03-01T00:00:00Z&to=2027-04-01T00:00:00Z");
    }
    ObjectNode answer =
        json.items(
            "items",
            appointments.all().stream()
                .filter(stored -> within(stored, from, to))
                .map(stored -> stored.render(json))
                .toList());
    return new Outcome(200, json.write(answer), null, false, false);
  }

  private static boolean within(StoredAppointment stored, Instant from, Instant to) {
    if (from == null && to == null) {
      return true;
    }
    Instant start;
    try {
      String text = stored.text("slotTime");
      start = text == null ? null : Instant.parse(text);
    } catch (DateTimeParseException notInstant) {
      start = null;
    }
    return start != null
        && (from == null || !start.isBefore(from))
        && (to == null || start.isBefore(to));
  }

  private Outcome unknown(ApiRequest request) {
    return refused(
        request,
        404,
        "No appointment with id '"
            + request.externalId()
            + "'; ids come from POST /api/appointments (the simulator forgets them on reset)");
  }

  private Outcome refused(ApiRequest request, int status, String message) {
    return new Outcome(
        status, json.write(json.error(status, message)), request.externalId(), false, false);
  }
}
