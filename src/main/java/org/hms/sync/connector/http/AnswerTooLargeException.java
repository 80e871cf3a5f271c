package org.hms.sync.connector.http;

import java.io.IOException;

/**
 * An external system's answer was larger than we read: its {@code Content-Length} declared more,
 * or more arrived, and reading stopped there (the connection is dropped). The status line and
 * headers had arrived, so the status is known: a connector can still judge the attempt by it.
 */
public final class AnswerTooLargeException extends IOException {
  private static final long serialVersionUID = 1L;

  private final long limit;
  private final int statusCode;
  private final String retryAfter;

  /**
   * @param limit the most bytes read
   * @param declared the Content-Length the answer declared, or -1 when more than {@code limit}
   *     bytes arrived
   * @param statusCode the answer's HTTP status
   * @param retryAfter its Retry-After header, or {@code null}
   */
  public AnswerTooLargeException(long limit, long declared, int statusCode, String retryAfter) {
    super(
        "the HTTP " + statusCode + " answer is larger than " + Http.size(limit)
            + (declared >= 0
                ? " (its Content-Length is " + declared + " bytes); it was not read"
                : "; reading stopped after " + limit + " bytes"));
    this.limit = limit;
    this.statusCode = statusCode;
    this.retryAfter = retryAfter;
  }

  /** The most bytes read. */
  public long limit() {
    return limit;
  }

  /** The HTTP status of the answer. */
  public int statusCode() {
    return statusCode;
  }

  /** The answer's Retry-After header, or {@code null}. */
  public String retryAfter() {
    return retryAfter;
  }

  /**
   * The AnswerTooLargeException along the cause chain of {@code failure} (clients wrap it, e.g. in
   * a CompletionException or an IOException), or {@code null} when there is none.
   */
  public static AnswerTooLargeException in(Throwable failure) {
    for (Throwable current = failure; current != null; current = current.getCause()) {
      if (current instanceof AnswerTooLargeException tooLarge) {
        return tooLarge;
      }
      if (current.getCause() == current) {
        break;
      }
    }
    return null;
  }
}
