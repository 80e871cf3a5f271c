package org.hms.sync.connector.http;

import org.hms.sync.SyncException;

/**
 * A connector's TLS material cannot be used: a key store or trust store is missing, is no PKCS#12
 * or JKS file, cannot be opened with its password, or holds no key or certificate. Found when the
 * connector's HTTP client is built, i.e. at start-up, which it stops. The message names the file
 * and the configuration key to check, never a password.
 */
public final class TlsException extends SyncException {
  TlsException(String message) {
    super(message);
  }

  TlsException(String message, Throwable cause) {
    super(message, cause);
  }
}
