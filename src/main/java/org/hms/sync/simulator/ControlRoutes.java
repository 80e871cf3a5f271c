package org.hms.sync.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

/** The {@code /sim} endpoints that inspect and steer a running simulator; no authentication. */
final class ControlRoutes {

  private final IisSimulator simulator;
  private final SimJson json;

  ControlRoutes(IisSimulator simulator, SimJson json) {
    this.simulator = simulator;
    this.json = json;
  }

  void register(Javalin server) {
    server.get("/sim/ledger", this::ledger);
    server.get("/sim/stats", this::stats);
    server.get("/sim/vaccinations", this::vaccinations);
    server.post("/sim/down", this::down);
    server.post(
        "/sim/up",
        context -> {
          simulator.comeBack();
          stats(context);
        });
    server.post("/sim/fail-rate", this::failRate);
    server.post("/sim/appointments/{id}/reschedule", this::reschedule);
    server.post("/sim/appointments/{id}/cancel", this::cancel);
    server.post(
        "/sim/reset",
        context -> {
          simulator.reset();
          stats(context);
        });
  }

  private void ledger(Context context) {
    ObjectNode answer = json.object();
    var entries = answer.putArray("entries");
    for (LedgerEntry entry : simulator.ledger()) {
      ObjectNode node = entries.addObject();
      node.put("position", entry.position());
      node.put("receivedAt", entry.receivedAt().toString());
      node.put("method", entry.method());
      node.put("path", entry.path());
      node.put("idempotencyKey", entry.idempotencyKey());
      node.put("externalId", entry.externalId());
      node.put("status", entry.status());
      node.put("applied", entry.applied());
      node.put("replayed", entry.replayed());
      node.put("body", entry.body());
    }
    send(context, 200, answer);
  }

  private void vaccinations(Context context) {
    ObjectNode answer = json.object();
    var items = answer.putArray("vaccinations");
    for (Vaccination vaccination : simulator.vaccinations()) {
      ObjectNode node = items.addObject();
      node.put("vaccinationId", vaccination.vaccinationId());
      node.put("cvxCode", vaccination.cvxCode());
      node.put("lotNumber", vaccination.lotNumber());
      node.put("lastAction", vaccination.lastAction());
      node.put("messages", vaccination.messages());
      node.put("deleted", vaccination.deleted());
    }
    send(context, 200, answer);
  }

  private void stats(Context context) {
    SimStats stats = simulator.stats();
    ObjectNode answer = json.object();
    answer.put("requests", stats.requests());
    answer.put("applied", stats.applied());
    answer.put("replayed", stats.replayed());
    answer.put("rejected", stats.rejected());
    answer.put("appointments", stats.appointments());
    answer.put("vaccinations", stats.vaccinations());
    answer.put("down", stats.down());
    send(context, 200, answer);
  }

  private void down(Context context) {
    String text = context.queryParam("for");
    Duration duration;
    try {
      duration = SimulatorOptions.parseDuration(text);
    } catch (IllegalArgumentException badDuration) {
      badRequest(context, "Query parameter 'for' is wrong: " + badDuration.getMessage() + " (e.g. /sim/down?for=10s)");
      return;
    }
    simulator.goDown(duration);
    stats(context);
  }

  private void failRate(Context context) {
    String text = context.queryParam("rate");
    double rate;
    try {
      rate = SimulatorOptions.requireRate(Double.parseDouble(text == null ? "" : text.trim()));
    } catch (IllegalArgumentException badRate) {
      badRequest(
          context,
          "Query parameter 'rate' must be a number between 0 and 1, got '"
              + text
              + "' (e.g. /sim/fail-rate?rate=0.2)");
      return;
    }
    simulator.setFailRate(rate);
    stats(context);
  }

  /** Body {@code {"slotTime": instant, "slotEnd": instant}}; answers 200 with the change. */
  private void reschedule(Context context) {
    SimJson.ParsedBody body = json.parseObject(context.body());
    if (!body.isObject()) {
      badRequest(context, body.problem());
      return;
    }
    Instant slotTime;
    Instant slotEnd;
    try {
      slotTime = Instant.parse(body.object().path("slotTime").asText());
      slotEnd = Instant.parse(body.object().path("slotEnd").asText());
    } catch (DateTimeParseException notInstant) {
      badRequest(
          context,
          "Body needs slotTime and slotEnd as ISO-8601 instants, e.g."
              + " {\"slotTime\": \"2026-03-01T10:00:00Z\", \"slotEnd\": \"2026-03-01T10:15:00Z\"}");
      return;
    }
    changeHere(context, () -> simulator.reschedule(context.pathParam("id"), slotTime, slotEnd));
  }

  /** Body {@code {"reason": text}} (optional); answers 200 with the change. */
  private void cancel(Context context) {
    String text = context.body();
    String reason = null;
    if (text != null && !text.isBlank()) {
      SimJson.ParsedBody body = json.parseObject(text);
      if (!body.isObject()) {
        badRequest(context, body.problem());
        return;
      }
      reason = body.object().hasNonNull("reason") ? body.object().get("reason").asText() : null;
    }
    String why = reason;
    changeHere(context, () -> simulator.cancel(context.pathParam("id"), why));
  }

  private void changeHere(Context context, Supplier<SimChange> change) {
    try {
      send(context, 200, ChangeRoutes.render(change.get(), json));
    } catch (NoSuchElementException unknown) {
      send(context, 404, json.error(404, unknown.getMessage()));
    } catch (IllegalArgumentException invalid) {
      badRequest(context, invalid.getMessage());
    }
  }

  private void badRequest(Context context, String message) {
    send(context, 400, json.error(400, message));
  }

  private void send(Context context, int status, ObjectNode body) {
    context.status(status).contentType("application/json").result(json.write(body));
  }
}
