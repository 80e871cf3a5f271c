package org.hms.sync.connector.auth;

import org.hms.sync.SyncException;

/**
 * No credentials could be had for a request, e.g. the token endpoint refused or did not answer, or
 * a private key could not be read. The message names the token URL (query masked) or the file and
 * the HTTP status, never a secret, password, assertion or token. (A key store or trust store that
 * cannot be read is a {@link org.hms.sync.connector.http.TlsException}.)
 */
public final class AuthException extends SyncException {
  private final boolean retryable;

  /**
   * @param retryable true when trying again later may help (network error, timeout, 408, 425,
   *     429, 5xx)
   */
  public AuthException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  /**
   * @param retryable true when trying again later may help (network error, timeout, 408, 425,
   *     429, 5xx)
   */
  public AuthException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** True when trying again later may help (network error, timeout, 408, 425, 429, 5xx). */
  public boolean retryable() {
    return retryable;
  }
}
