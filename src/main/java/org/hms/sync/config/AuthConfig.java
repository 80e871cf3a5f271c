package org.hms.sync.config;

import java.util.Objects;

/**
 * How a connector authenticates: {@code none}, {@code bearer} (with {@code token}) or {@code basic}
 * (with {@code username} and {@code password}). Values the type does not use are {@code null}.
 * {@link #toString()} never shows the token or the password.
 */
public record AuthConfig(String type, String token, String username, String password) {

  public AuthConfig {
    Objects.requireNonNull(type, "type");
  }

  /** No authentication. */
  public static AuthConfig none() {
    return new AuthConfig("none", null, null, null);
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
    return text.append(']').toString();
  }
}
