package org.hms.sync.inbound;

import org.hms.sync.SyncException;

/** A review could not be resolved; nothing was changed. Subclasses say why. */
public abstract class ReviewException extends SyncException {
  protected ReviewException(String message) {
    super(message);
  }

  /** No review with this id (HTTP 404). */
  public static final class NotFound extends ReviewException {
    public NotFound(String reviewId) {
      super("review '" + reviewId + "' not found; list them with GET /api/reviews");
    }
  }

  /** The review was resolved before (HTTP 409). */
  public static final class AlreadyResolved extends ReviewException {
    public AlreadyResolved(Review review) {
      super("review '" + review.id() + "' is resolved already; nothing changed");
    }
  }

  /** The external change still cannot be applied, e.g. its slot is full (HTTP 409). */
  public static final class StillConflicting extends ReviewException {
    public StillConflicting(Review review, String reason) {
      super("review '" + review.id() + "' stays open: " + reason);
    }
  }
}
