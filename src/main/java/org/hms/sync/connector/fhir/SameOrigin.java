package org.hms.sync.connector.fhir;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * The rule for links a server hands us (a search's {@code next} link): they are followed only on
 * the scheme, host and port of the connector's {@code baseUrl}, because the connector's
 * credentials go with every request.
 */
final class SameOrigin {
  private SameOrigin() {}

  /** True when {@code link} is an absolute URL on the origin of {@code base}. */
  static boolean as(URI base, String link) {
    URI other;
    try {
      other = URI.create(link.trim());
    } catch (IllegalArgumentException notUri) {
      return false;
    }
    return Objects.equals(lower(base.getScheme()), lower(other.getScheme()))
        && Objects.equals(lower(base.getHost()), lower(other.getHost()))
        && port(base) == port(other);
  }

  private static int port(URI uri) {
    if (uri.getPort() >= 0) {
      return uri.getPort();
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  private static String lower(String text) {
    return text == null ? null : text.toLowerCase(Locale.ROOT);
  }
}
