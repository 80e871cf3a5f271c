package org.hms.sync.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How a connector authenticates. Values the type does not use are {@code null}:
 *
 * <ul>
 *   <li>{@code none};
 *   <li>{@code bearer}: {@code token};
 *   <li>{@code basic}: {@code username}, {@code password};
 *   <li>{@code oauth2}: OAuth 2.0 client credentials: {@code tokenUrl}, {@code clientId}, {@code
 *       clientSecret}, optional {@code scope};
 *   <li>{@code smart}: SMART Backend Services: {@code tokenUrl}, {@code clientId}, {@code
 *       privateKey} (a PEM file, PKCS#8), {@code algorithm} ({@code RS384} or {@code ES384}),
 *       optional {@code keyId} and {@code scope}.
 * </ul>
 *
 * Mutual TLS is not an auth type here but the connector's {@link TlsConfig}, so that it combines
 * with any of these. {@link #toString()} never shows the token, password or client secret.
 */
public record AuthConfig(
    String type,
    String token,
    String username,
    String password,
    URI tokenUrl,
    String clientId,
    String clientSecret,
    String scope,
    Path privateKey,
    String keyId,
    String algorithm) {

  public AuthConfig {
    Objects.requireNonNull(type, "type");
  }

  /** For none, bearer and basic. */
  public AuthConfig(String type, String token, String username, String password) {
    this(type, token, username, password, null, null, null, null, null, null, null);
  }

  /** No authentication. */
  public static AuthConfig none() {
    return new AuthConfig("none", null, null, null);
  }

  /** OAuth 2.0 client credentials with a client secret. */
  public static AuthConfig oauth2(URI tokenUrl, String clientId, String clientSecret, String scope) {
    return new AuthConfig(
        "oauth2", null, null, null, tokenUrl, clientId, clientSecret, scope, null, null, null);
  }

  /** SMART Backend Services: client credentials with a signed JWT client assertion. */
  public static AuthConfig smart(
      URI tokenUrl, String clientId, Path privateKey, String algorithm, String keyId, String scope) {
    return new AuthConfig(
        "smart", null, null, null, tokenUrl, clientId, null, scope, privateKey, keyId, algorithm);
  }

  /** For example {@code AuthConfig[type=bearer, token=***]}; only the values that are set. */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("AuthConfig[type=").append(type);
    if (token != null) {
      text.append(", token=").append(Redact.MASK);
    }
    if (username != null) {
      text.append(", username=").append(username);
    }
    if (password != null) {
      text.append(", password=").append(Redact.MASK);
    }
    if (tokenUrl != null) {
      text.append(", tokenUrl=").append(Redact.url(tokenUrl.toString()));
    }
    if (clientId != null) {
      text.append(", clientId=").append(clientId);
    }
    if (clientSecret != null) {
      text.append(", clientSecret=").append(Redact.MASK);
    }
    if (scope != null) {
      text.append(", scope=").append(scope);
    }
    if (privateKey != null) {
      text.append(", privateKey=").append(privateKey);
    }
    if (keyId != null) {
      text.append(", keyId=").append(keyId);
    }
    if (algorithm != null) {
      text.append(", algorithm=").append(algorithm);
    }
    return text.append(']').toString();
  }
}
