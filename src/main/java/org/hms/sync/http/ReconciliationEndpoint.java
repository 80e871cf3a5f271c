package org.hms.sync.http;

import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hms.sync.reconcile.ReconcileException;
import org.hms.sync.reconcile.Reconciler;
import org.hms.sync.reconcile.Reconciliation;

/**
 * {@code POST /api/reconciliations} (run one now), {@code GET /api/reconciliations?connector=}
 * (newest first) and {@code GET /api/reconciliations/{id}} (the report).
 */
final class ReconciliationEndpoint {
  private final Reconciler reconciler;

  ReconciliationEndpoint(Reconciler reconciler) {
    this.reconciler = reconciler;
  }

  /**
   * Body {@code {"connector", "from", "to", "repair"}}; runs at once and answers 201 with the
   * report (status completed, or failed with the reason when the system could not be listed).
   */
  void run(Context ctx, IdempotentCall call) {
    Body body = Body.parse(ctx, false, Set.of("connector", "from", "to", "repair"));
    String connector = body.requiredText("connector");
    Instant from = body.requiredInstant("from");
    Instant to = body.requiredInstant("to");
    boolean repair = body.optionalBoolean("repair", false);
    Reconciliation run;
    try {
      run = reconciler.run(connector, from, to, repair, "api");
    } catch (ReconcileException.UnknownConnector unknown) {
      throw Problem.notFound(unknown.getMessage());
    } catch (ReconcileException wrong) {
      throw Problem.badRequest(wrong.getMessage());
    }
    call.answer(Answer.json(201, run).with("Location", "/api/reconciliations/" + run.id()));
  }

  void list(Context ctx) {
    String connector = ctx.queryParam("connector");
    List<Reconciliation> runs;
    try {
      runs =
          reconciler.list(
              connector == null || connector.isBlank() ? null : connector, ApiServer.limit(ctx));
    } catch (ReconcileException unknown) {
      throw Problem.badRequest(unknown.getMessage());
    }
    ctx.json(
        Map.of(
            "reconciliations",
            runs.stream().map(ReconciliationEndpoint::withoutDetail).toList()));
  }

  void find(Context ctx) {
    String id = ctx.pathParam("id");
    ctx.json(
        reconciler
            .find(id)
            .orElseThrow(() -> Problem.notFound("no reconciliation '" + id + "'")));
  }

  /** For lists: the summary without the differences. */
  private static Reconciliation withoutDetail(Reconciliation run) {
    return new Reconciliation(
        run.id(), run.connectorId(), run.from(), run.to(), run.repair(), run.trigger(),
        run.status(), run.startedAt(), run.finishedAt(), run.summary(), null, null, null,
        run.notes(), run.error());
  }
}
