package org.hms.sync.connector.auth;

/**
 * No credentials could be had for a request, e.g. the token endpoint refused or did not answer.
 * The message names the token URL and the HTTP status, never a secret.
 *
 * @param retryable true when trying again later may help (network error, timeout, 5xx, 429)
 */
public final class AuthException extends RuntimeException {
  private final boolean retryable;

  public AuthException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  public AuthException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }
}
