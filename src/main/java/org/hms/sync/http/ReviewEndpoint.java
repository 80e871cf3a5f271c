package org.hms.sync.http;

import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hms.sync.inbound.Review;
import org.hms.sync.inbound.ReviewDesk;
import org.hms.sync.inbound.ReviewException;
import org.hms.sync.json.Json;

/** {@code GET /api/reviews?status=} and {@code POST /api/reviews/{id}/resolve}: the review queue. */
final class ReviewEndpoint {
  private final ReviewDesk desk;

  ReviewEndpoint(ReviewDesk desk) {
    this.desk = desk;
  }

  void list(Context ctx) {
    String statusText = ctx.queryParam("status");
    Review.Status status;
    try {
      status =
          statusText == null || statusText.isBlank() ? null : Review.Status.fromWire(statusText);
    } catch (IllegalArgumentException invalid) {
      throw Problem.badRequest(invalid.getMessage());
    }
    List<Map<String, Object>> reviews =
        desk.list(status, ApiServer.limit(ctx)).stream().map(ReviewEndpoint::view).toList();
    ctx.json(Map.of("reviews", reviews));
  }

  void resolve(Context ctx, IdempotentCall call) {
    Body body = Body.parse(ctx, false, Set.of("choose"));
    Review.Choice choice;
    try {
      choice = Review.Choice.fromWire(body.optionalText("choose"));
    } catch (IllegalArgumentException invalid) {
      throw Problem.badRequest(invalid.getMessage());
    }
    try {
      call.answer(Answer.json(200, view(desk.resolve(ctx.pathParam("id"), choice))));
    } catch (ReviewException.NotFound missing) {
      throw Problem.notFound(missing.getMessage());
    } catch (ReviewException failure) {
      throw Problem.conflict(failure.getMessage());
    }
  }

  static Map<String, Object> view(Review review) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", review.id());
    view.put("status", review.status().wire());
    view.put("connector", review.connectorId());
    view.put("inboxItemId", review.inboxItemId());
    view.put("appointmentId", review.appointmentId());
    view.put("reason", review.reason());
    view.put("emr", review.emrSnapshot() == null ? null : Json.read(review.emrSnapshot()));
    view.put("external", Json.read(review.externalChange()));
    view.put("resolution", review.resolution() == null ? null : review.resolution().wire());
    view.put("createdAt", review.createdAt().toString());
    view.put("resolvedAt", review.resolvedAt() == null ? null : review.resolvedAt().toString());
    return view;
  }
}
