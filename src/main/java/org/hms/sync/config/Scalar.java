package org.hms.sync.config;

import java.util.List;
import java.util.Set;

/**
 * One scalar from the file after {@code ${...}} substitution.
 *
 * @param path where it is, e.g. {@code connectors[0].retry.maxAttempts}
 * @param raw the text as written in the file
 * @param value the text after substitution
 * @param references the environment variables it refers to
 */
record Scalar(String path, String raw, String value, List<String> references) {
  private static final Set<String> SECRET_KEYS = Set.of(
          "token", "password", "adminToken", "clientSecret", "keyStorePassword",
          "trustStorePassword", "secrets", "secret");

  Scalar {
    references = List.copyOf(references);
  }

  /**
   * The value quoted for an error message, unless it is, or may be, a secret: then the text as
   * written (which only names variables) or nothing at all.
   */
  String shown() {
    return shown(value);
  }

  /** Like {@link #shown()}, with user info and password-like parameters of a URL masked. */
  String shownAsUrl() {
    return shown(Redact.url(value));
  }

  /** True when error messages must not show the value. */
  boolean hidden() {
    return SECRET_KEYS.contains(lastKey()) || references.stream()
            .anyMatch(reference -> reference.startsWith("file:") || Redact.looksSecret(reference));
  }

  private String shown(String visibleValue) {
    if (SECRET_KEYS.contains(lastKey())) {
      return "(value hidden)";
    }
    if (hidden()) {
      return "'" + raw + "' (value hidden)";
    }
    return "'" + visibleValue + "'";
  }

  /** The key, without a list index: {@code secrets} for {@code ...webhook.secrets[0]}. */
  private String lastKey() {
    String key = path.substring(path.lastIndexOf('.') + 1);
    int index = key.indexOf('[');
    return index < 0 ? key : key.substring(0, index);
  }
}
