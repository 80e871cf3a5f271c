package org.hms.sync.simulator;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Binds {@link AppointmentApi} to HTTP. Injected latency is waited out on a scheduler, not on a
 * server thread, so slow answers never hold back other requests.
 */
final class ApiRoutes {

  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";
  static final String RETRY_AFTER = "Retry-After";
  private static final String APPOINTMENTS = "/api/appointments";
  private static final String APPOINTMENT = "/api/appointments/{id}";

  private final AppointmentApi api;
  private final Ledger ledger;
  private final Faults faults;
  private final BearerAuth auth;
  private final Clock clock;
  private final ScheduledExecutorService delays;

  ApiRoutes(
      AppointmentApi api,
      Ledger ledger,
      Faults faults,
      BearerAuth auth,
      Clock clock,
      ScheduledExecutorService delays) {
    this.api = api;
    this.ledger = ledger;
    this.faults = faults;
    this.auth = auth;
    this.clock = clock;
    this.delays = delays;
  }

  void register(Javalin server) {
    server.post(APPOINTMENTS, context -> serve(context, Operation.CREATE));
    server.get(APPOINTMENTS, context -> serve(context, Operation.LIST));
    server.get(APPOINTMENT, context -> serve(context, Operation.READ));
    server.put(APPOINTMENT, context -> serve(context, Operation.UPDATE));
    server.patch(APPOINTMENT, context -> serve(context, Operation.UPDATE));
    server.delete(APPOINTMENT, context -> serve(context, Operation.CANCEL));
  }

  private void serve(Context context, Operation operation) {
    AppointmentApi.Admitted admitted = api.admit(capture(context, operation));
    Duration latency = faults.latency();
    if (latency.isZero()) {
      respond(context, api.answer(admitted));
      return;
    }
    CompletableFuture<Outcome> answered = new CompletableFuture<>();
    delays.schedule(() -> answerLater(admitted, answered), latency.toNanos(), TimeUnit.NANOSECONDS);
    context.future(() -> answered.thenAccept(outcome -> respond(context, outcome)));
  }

  private void answerLater(AppointmentApi.Admitted admitted, CompletableFuture<Outcome> answered) {
    try {
      answered.complete(api.answer(admitted));
    } catch (RuntimeException failure) {
      // handed to the server's exception handler, which answers 500
      answered.completeExceptionally(failure);
    }
  }

  private ApiRequest capture(Context context, Operation operation) {
    String key = context.header(IDEMPOTENCY_KEY);
    String body = context.body();
    return new ApiRequest(
        ledger.nextPosition(),
        clock.instant(),
        operation,
        context.method().name(),
        context.path(),
        key == null || key.isBlank() ? null : key.trim(),
        auth.permits(context.header("Authorization")),
        context.pathParamMap().get("id"),
        body.isEmpty() ? null : body,
        context.queryParam("from"),
        context.queryParam("to"));
  }

  private static void respond(Context context, Outcome outcome) {
    context.status(outcome.status()).contentType("application/json").result(outcome.json());
    if (outcome.replayed()) {
      context.header(IDEMPOTENT_REPLAYED, "true");
    }
    if (outcome.status() == Outcome.UNAVAILABLE) {
      context.header(RETRY_AFTER, "1");
    }
  }
}
