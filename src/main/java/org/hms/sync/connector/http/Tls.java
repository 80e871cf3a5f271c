package org.hms.sync.connector.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.security.UnrecoverableKeyException;
import java.util.Collections;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.hms.sync.config.TlsConfig;

/** Builds the SSL context of a connector from its {@link TlsConfig}. */
public final class Tls {
  private Tls() {}

  /**
   * The JDK's default context when nothing is configured; else one with the key store's client
   * certificate (mutual TLS) and the trust store's certificates. Either store is a PKCS#12 or JKS
   * file (the type is found from the content); the key's password is the key store's. Without a
   * trust store the JDK's default trust applies; without a key store no client certificate is sent.
   *
   * @throws TlsException when a store cannot be read; the message names the file, never the
   *     password
   */
  public static SSLContext context(TlsConfig tls) {
    if (tls.isDefault()) {
      try {
        return SSLContext.getDefault();
      } catch (NoSuchAlgorithmException e) {
        throw new TlsException("no default TLS context: " + e.getMessage(), e);
      }
    }
    KeyManager[] keyManagers = null;
    if (tls.keyStore() != null) {
      char[] password = password(tls.keyStorePassword());
      KeyStore keys = load(tls.keyStore(), password, "key store", "tls.keyStore");
      if (!holdsKey(keys)) {
        throw new TlsException(
            "TLS key store " + tls.keyStore() + " holds no private key with a certificate; put"
                + " the client certificate and its key in it (e.g. openssl pkcs12 -export)");
      }
      try {
        KeyManagerFactory factory =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, password);
        keyManagers = factory.getKeyManagers();
      } catch (UnrecoverableKeyException wrongPassword) {
        throw new TlsException(
            "the key in TLS key store " + tls.keyStore() + " cannot be unlocked with"
                + " tls.keyStorePassword; the key's password must be the store's",
            wrongPassword);
      } catch (GeneralSecurityException unusable) {
        throw new TlsException(
            "TLS key store " + tls.keyStore() + " cannot be used ("
                + unusable.getClass().getSimpleName() + ")",
            unusable);
      }
    }
    TrustManager[] trustManagers = null;
    if (tls.trustStore() != null) {
      KeyStore trusted =
          load(
              tls.trustStore(),
              password(tls.trustStorePassword()),
              "trust store",
              "tls.trustStore");
      try {
        if (trusted.size() == 0) {
          throw new TlsException(
              "TLS trust store " + tls.trustStore() + " holds no certificate; import the"
                  + " server's CA certificate into it");
        }
        TrustManagerFactory factory =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        trustManagers = factory.getTrustManagers();
      } catch (GeneralSecurityException unusable) {
        throw new TlsException(
            "TLS trust store " + tls.trustStore() + " cannot be used ("
                + unusable.getClass().getSimpleName() + ")",
            unusable);
      }
    }
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers, trustManagers, null);
      return context;
    } catch (GeneralSecurityException failed) {
      throw new TlsException(
          "cannot build the TLS context: " + failed.getClass().getSimpleName(), failed);
    }
  }

  private static char[] password(String password) {
    return password == null ? null : password.toCharArray();
  }

  private static KeyStore load(Path file, char[] password, String what, String key) {
    if (!Files.isRegularFile(file)) {
      throw new TlsException(
          "TLS " + what + " " + file + " does not exist or is not a file; check " + key);
    }
    try {
      // probes the type: PKCS#12 and JKS both load
      return KeyStore.getInstance(file.toFile(), password);
    } catch (IOException unreadable) {
      boolean wrongPassword = unreadable.getCause() instanceof UnrecoverableKeyException;
      throw new TlsException(
          wrongPassword
              ? "TLS " + what + " " + file + " cannot be opened with the configured password;"
                  + " check " + key + "Password"
              : "TLS " + what + " " + file + " cannot be read ("
                  + unreadable.getClass().getSimpleName()
                  + "): wrong password, or not a PKCS#12 or JKS file; check " + key + " and "
                  + key + "Password",
          unreadable);
    } catch (GeneralSecurityException notAStore) {
      throw new TlsException(
          "TLS " + what + " " + file + " is not a PKCS#12 or JKS file ("
              + notAStore.getClass().getSimpleName() + "); check " + key,
          notAStore);
    }
  }

  private static boolean holdsKey(KeyStore store) {
    try {
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias)) {
          return true;
        }
      }
      return false;
    } catch (KeyStoreException unreadable) {
      return false;
    }
  }
}
