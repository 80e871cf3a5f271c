package org.hms.sync.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * {@code GET /api/changes?updatedSince=<instant>&limit=N}: the IIS's own changes with {@code
 * updatedAt} after {@code updatedSince} (all without it), oldest first, at most {@code limit}
 * (default 100, at most 1000), as {@code {"items": [...], "next": "<url of the next page>"}};
 * {@code next} only when more follow. Needs the bearer token like the rest of {@code /api} and
 * answers 503 during an outage; not recorded in the ledger.
 */
final class ChangeRoutes {

  static final String PATH = "/api/changes";
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  private final ChangeFeed feed;
  private final Faults faults;
  private final BearerAuth auth;
  private final SimJson json;

  ChangeRoutes(ChangeFeed feed, Faults faults, BearerAuth auth, SimJson json) {
    this.feed = feed;
    this.faults = faults;
    this.auth = auth;
    this.json = json;
  }

  void register(Javalin server) {
    server.get(PATH, this::changes);
  }

  private void changes(Context context) {
    if (!auth.permits(context.header("Authorization"))) {
      send(
          context,
          401,
          json.error(
              401,
              "Missing or wrong bearer token; send the header 'Authorization: Bearer <token>'"));
      return;
    }
    if (faults.isDown()) {
      context.header(ApiRoutes.RETRY_AFTER, "1");
      send(
          context,
          503,
          json.error(
              503,
              "The IIS is down for maintenance (simulated outage until "
                  + faults.downUntil()
                  + "); retry after the Retry-After delay"));
      return;
    }
    String sinceText = context.queryParam("updatedSince");
    Instant since = null;
    if (sinceText != null && !sinceText.isBlank()) {
      try {
        since = Instant.parse(sinceText.trim());
      } catch (DateTimeParseException notInstant) {
        send(
            context,
            400,
            json.error(
                400,
                "Query parameter 'updatedSince' must be an ISO-8601 instant such as"
                    + " 2026-03-01T09:00:00Z, got '"
                    + sinceText
                    + "'"));
        return;
      }
    }
    String limitText = context.queryParam("limit");
    int limit = DEFAULT_LIMIT;
    if (limitText != null && !limitText.isBlank()) {
      try {
        limit = Integer.parseInt(limitText.trim());
      } catch (NumberFormatException notNumber) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        send(
            context,
            400,
            json.error(
                400,
                "Query parameter 'limit' must be a whole number from 1 to "
                    + MAX_LIMIT
                    + ", got '"
                    + limitText
                    + "' (default "
                    + DEFAULT_LIMIT
                    + ")"));
        return;
      }
    }
    ChangeFeed.Page page = feed.since(since, limit);
    ObjectNode answer =
        json.items("items", page.changes().stream().map(change -> render(change, json)).toList());
    if (page.more()) {
      Instant last = page.changes().get(page.changes().size() - 1).updatedAt();
      answer.put("next", PATH + "?updatedSince=" + last + "&limit=" + limit);
    }
    send(context, 200, answer);
  }

  /** The JSON of a change, in the feed and as a webhook body. */
  static ObjectNode render(SimChange change, SimJson json) {
    ObjectNode node = json.object();
    node.put("changeId", change.changeId());
    node.put("externalId", change.externalId());
    node.put("appointmentId", change.appointmentId());
    node.put("type", change.type());
    node.put("slotTime", change.slotTime());
    node.put("slotEnd", change.slotEnd());
    node.put("clinicCode", change.clinicCode());
    node.put("status", change.status());
    node.put("reason", change.reason());
    node.put("updatedAt", change.updatedAt().toString());
    return node;
  }

  private void send(Context context, int status, ObjectNode body) {
    context.status(status).contentType("application/json").result(json.write(body));
  }
}
