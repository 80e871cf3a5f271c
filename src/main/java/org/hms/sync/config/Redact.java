package org.hms.sync.config;

import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/** Masks secrets before a value reaches a {@code toString()} or an error message. */
final class Redact {
  static final String MASK = "***";

  /** Names (of environment variables or headers) that usually hold a secret. */
  private static final Pattern SECRET_NAME =
      Pattern.compile(
          "(?i).*(token|secret|passw|pwd|key|credential|private|auth|cookie|session|signature).*");

  private static final Pattern URL_USER_INFO = Pattern.compile("(//)[^/@?#]*@");
  private static final Pattern URL_SECRET_PARAM =
      Pattern.compile("(?i)([?&;](?:password|pwd|pass|secret|token|api_?key|key)=)[^&;#]*");

  private Redact() {}

  /** {@code ***} for any value that is set, {@code null} otherwise. */
  static String secret(String value) {
    return value == null ? null : MASK;
  }

  static boolean looksSecret(String name) {
    return SECRET_NAME.matcher(name).matches();
  }

  /** The URL with user info ({@code user:pass@}) and password-like query parameters masked. */
  static String url(String url) {
    if (url == null) {
      return null;
    }
    String masked = URL_USER_INFO.matcher(url).replaceAll("$1" + MASK + "@");
    return URL_SECRET_PARAM.matcher(masked).replaceAll("$1" + MASK);
  }

  /** Headers as {@code {name=value, ...}}, with the values of secret-looking names masked. */
  static String headers(Map<String, String> headers) {
    StringJoiner joiner = new StringJoiner(", ", "{", "}");
    headers.forEach(
        (name, value) -> joiner.add(name + "=" + (looksSecret(name) ? secret(value) : value)));
    return joiner.toString();
  }
}
