package org.hms.sync.connector.auth;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.hms.sync.config.AuthConfig;

/**
 * Where the {@code Authorization} header of a connector's requests comes from. Static kinds
 * (bearer, basic) answer at once; token kinds fetch a token, cache it and fetch a new one shortly
 * before it expires. Implementations are thread-safe and never log secrets.
 */
public interface Credentials {

  /** The header value for the next request, or empty for none. Completes exceptionally with
   * {@link AuthException} when no token can be had. */
  CompletableFuture<Optional<String>> authorization();

  /** The external system refused the last header (401): forget any cached token. */
  default void invalidate() {}

  /** What the header looks like, with the secret part masked, for {@code mapping test}. */
  Optional<String> preview();

  /**
   * Credentials of the configured kind.
   *
   * @param http the connector's client, used to reach token endpoints (same TLS, no redirects)
   * @param clock decides when a cached token has expired
   */
  static Credentials of(AuthConfig auth, HttpClient http, Clock clock) {
    switch (auth.type()) {
      case "none":
        return fixed(null, null);
      case "bearer":
        return fixed("Bearer " + auth.token(), "Bearer ***");
      case "basic":
        String pair = auth.username() + ":" + auth.password();
        return fixed(
            "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)),
            "Basic ***");
      default:
        throw new IllegalArgumentException("auth type '" + auth.type() + "' is not supported");
    }
  }

  private static Credentials fixed(String header, String preview) {
    CompletableFuture<Optional<String>> value =
        CompletableFuture.completedFuture(Optional.ofNullable(header));
    return new Credentials() {
      @Override
      public CompletableFuture<Optional<String>> authorization() {
        return value;
      }

      @Override
      public Optional<String> preview() {
        return Optional.ofNullable(preview);
      }
    };
  }
}
