package org.hms.sync.connector.auth;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting on credentials in the auth tests. */
final class Tokens {
  private Tokens() {}

  /** The header value; fails the test if none comes within 15 seconds. */
  static String header(Credentials credentials) {
    return header(credentials.authorization());
  }

  static String header(CompletableFuture<Optional<String>> authorization) {
    try {
      return authorization
          .get(15, TimeUnit.SECONDS)
          .orElseThrow(() -> new AssertionError("no Authorization header"));
    } catch (ExecutionException failure) {
      throw new AssertionError("no token: " + failure.getCause(), failure.getCause());
    } catch (InterruptedException | TimeoutException failure) {
      throw new AssertionError("no token within 15 s", failure);
    }
  }

  /** The AuthException the call ends with; fails the test if it succeeds or fails otherwise. */
  static AuthException failure(Credentials credentials) {
    try {
      Optional<String> header = credentials.authorization().get(15, TimeUnit.SECONDS);
      throw new AssertionError("expected an AuthException, got a header: " + header.isPresent());
    } catch (ExecutionException failure) {
      if (failure.getCause() instanceof AuthException auth) {
        return auth;
      }
      throw new AssertionError("expected an AuthException, got " + failure.getCause(), failure);
    } catch (InterruptedException | TimeoutException failure) {
      throw new AssertionError("no answer within 15 s", failure);
    }
  }
}
