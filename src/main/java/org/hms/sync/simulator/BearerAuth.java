package org.hms.sync.simulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Checks {@code Authorization: Bearer <token>} when a token is required; open otherwise. */
final class BearerAuth {

  private final byte[] expectedHeader;

  BearerAuth(String requiredToken) {
    this.expectedHeader =
        requiredToken == null ? null : ("Bearer " + requiredToken).getBytes(StandardCharsets.UTF_8);
  }

  boolean permits(String authorizationHeader) {
    if (expectedHeader == null) {
      return true;
    }
    return authorizationHeader != null
        && MessageDigest.isEqual(
            expectedHeader, authorizationHeader.trim().getBytes(StandardCharsets.UTF_8));
  }
}
