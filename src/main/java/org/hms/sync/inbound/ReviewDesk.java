package org.hms.sync.inbound;

import java.util.List;

/**
 * The review queue as an operator uses it: list the changes the conflict policy held for a person,
 * and resolve one by choosing the EMR's or the external side's values (the chosen side's change is
 * then applied, or corrected at the external system, as {@link InboxProcessor#resolve} says).
 */
public final class ReviewDesk {
  private final ReviewRepository reviews;
  private final InboxProcessor processor;

  public ReviewDesk(ReviewRepository reviews, InboxProcessor processor) {
    this.reviews = reviews;
    this.processor = processor;
  }

  /** Reviews, newest first, of one status or (null) of all. */
  public List<Review> list(Review.Status status, int limit) {
    return reviews.list(status, limit);
  }

  /**
   * Resolves an open review with the chosen side.
   *
   * @throws ReviewException.NotFound no such review
   * @throws ReviewException it is not open, or the choice cannot be applied
   */
  public Review resolve(String reviewId, Review.Choice choice) {
    return processor.resolve(reviewId, choice);
  }
}
