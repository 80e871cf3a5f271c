package org.hms.sync.config;

import java.nio.file.Path;

/**
 * TLS material for one connector's HTTPS calls: a key store with the client certificate for mutual
 * TLS, and a trust store for servers whose certificates the JDK does not trust. Both are PKCS#12
 * (or JKS) files; either may be absent. {@link #toString()} never shows the passwords.
 *
 * @param keyStore client certificate and key, or {@code null} for no client certificate
 * @param keyStorePassword password of the key store (and of its key), or {@code null}
 * @param trustStore certificates to trust, or {@code null} for the JDK's default trust
 * @param trustStorePassword password of the trust store, or {@code null}
 */
public record TlsConfig(
    Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword) {

  /** The JDK's defaults: no client certificate, the default trust store. */
  public static TlsConfig none() {
    return new TlsConfig(null, null, null, null);
  }

  /** True when the JDK's default SSL context is enough. */
  public boolean isDefault() {
    return keyStore == null && trustStore == null;
  }

  @Override
  public String toString() {
    return "TlsConfig[keyStore="
        + keyStore
        + (keyStorePassword == null ? "" : ", keyStorePassword=" + Redact.MASK)
        + ", trustStore="
        + trustStore
        + (trustStorePassword == null ? "" : ", trustStorePassword=" + Redact.MASK)
        + "]";
  }
}
