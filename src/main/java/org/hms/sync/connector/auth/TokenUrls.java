package org.hms.sync.connector.auth;

import java.net.URI;

/** Token endpoint URLs as they may appear in messages. */
final class TokenUrls {
  private TokenUrls() {}

  /**
   * The URL without user info, and with its query (if any) shown as {@code ?***}: either may carry
   * a secret, and neither helps to tell which endpoint failed.
   */
  static String display(URI url) {
    StringBuilder text = new StringBuilder();
    if (url.getScheme() != null) {
      text.append(url.getScheme()).append("://");
    }
    if (url.getHost() != null) {
      text.append(url.getHost());
      if (url.getPort() >= 0) {
        text.append(':').append(url.getPort());
      }
    }
    if (url.getRawPath() != null) {
      text.append(url.getRawPath());
    }
    if (url.getRawQuery() != null) {
      text.append("?***");
    }
    return text.toString();
  }
}
