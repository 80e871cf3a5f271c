package org.hms.sync.connector;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.hms.sync.SyncException;
import org.hms.sync.connector.auth.AuthException;
import org.hms.sync.delivery.PushResult;

/** How connectors judge a failure that happened before anything was sent (credentials, mostly). */
public final class BeforeSending {
  private BeforeSending() {}

  /**
   * An {@link AuthException} keeps its own verdict (a token endpoint that is down is retryable,
   * refused client credentials are permanent); anything else is retryable. Our own exceptions
   * carry no PHI by contract, so their message is kept; others are named by class only.
   */
  public static PushResult judge(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof AuthException auth) {
      return auth.retryable()
          ? new PushResult.Retryable(null, "AuthException", auth.getMessage(), null)
          : new PushResult.Permanent(null, "AuthException", auth.getMessage());
    }
    return new PushResult.Retryable(
        null,
        cause.getClass().getSimpleName(),
        "failed before sending: "
            + (cause instanceof SyncException ? cause.getMessage() : cause.getClass().getName()),
        null);
  }

  /** The failure inside the wrappers a future adds. */
  public static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
