package org.hms.sync.connector.auth;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.hms.sync.config.AuthConfig;

/**
 * Where the {@code Authorization} header of a connector's requests comes from. Static kinds
 * (bearer, basic) answer at once; token kinds (oauth2, smart) fetch a token, cache it and fetch a
 * new one shortly before it expires. Implementations are thread-safe and never log secrets; their
 * {@code toString} shows none.
 */
public interface Credentials {

  /** How long a token request may take when the caller names no timeout. */
  Duration DEFAULT_TOKEN_TIMEOUT = Duration.ofSeconds(10);

  /** The header value for the next request, or empty for none. Completes exceptionally with
   * {@link AuthException} when no token can be had; {@link AuthException#retryable()} tells
   * whether trying again later may help. */
  CompletableFuture<Optional<String>> authorization();

  /**
   * The external system refused the last header (401): forget any cached token. Idempotent.
   *
   * @return true when the next attempt will carry a fresh credential (a token kind), so that
   *     trying again may succeed; false for fixed credentials, which a retry cannot fix
   */
  default boolean invalidate() {
    return false;
  }

  /** What the header looks like, with the secret part masked, for {@code mapping test}. */
  Optional<String> preview();

  /**
   * Credentials of the configured kind; token requests time out after {@link
   * #DEFAULT_TOKEN_TIMEOUT}.
   *
   * @param http the connector's client, used to reach token endpoints (same TLS, no redirects)
   * @param clock decides when a cached token has expired, and dates SMART client assertions
   * @throws AuthException (not retryable) when the config is incomplete or a key cannot be read
   */
  static Credentials of(AuthConfig auth, HttpClient http, Clock clock) {
    return of(auth, http, clock, DEFAULT_TOKEN_TIMEOUT);
  }

  /**
   * Credentials of the configured kind.
   *
   * @param http the connector's client, used to reach token endpoints (same TLS, no redirects)
   * @param clock decides when a cached token has expired, and dates SMART client assertions
   * @param tokenTimeout how long one token request may take (e.g. the connector's request timeout)
   * @throws AuthException (not retryable) when the config is incomplete or a key cannot be read
   */
  static Credentials of(AuthConfig auth, HttpClient http, Clock clock, Duration tokenTimeout) {
    switch (auth.type()) {
      case "none":
        return fixed(null, null);
      case "bearer":
        required(auth.token(), "token", "bearer");
        return fixed("Bearer " + auth.token(), "Bearer ***");
      case "basic":
        required(auth.username(), "username", "basic");
        required(auth.password(), "password", "basic");
        String pair = auth.username() + ":" + auth.password();
        return fixed(
            "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)),
            "Basic ***");
      case "oauth2":
        {
          URI tokenUrl = tokenUrl(auth);
          required(auth.clientId(), "clientId", "oauth2");
          required(auth.clientSecret(), "clientSecret", "oauth2");
          return new TokenCredentials(
              tokenUrl, new ClientSecretBasic(auth), http, clock, tokenTimeout);
        }
      case "smart":
        {
          URI tokenUrl = tokenUrl(auth);
          required(auth.clientId(), "clientId", "smart");
          return new TokenCredentials(
              tokenUrl, SmartAssertion.create(auth, tokenUrl), http, clock, tokenTimeout);
        }
      default:
        throw new AuthException(
            "auth type '" + auth.type() + "' is not supported; use none, bearer, basic, oauth2"
                + " or smart",
            false);
    }
  }

  private static URI tokenUrl(AuthConfig auth) {
    URI url = auth.tokenUrl();
    if (url == null) {
      throw new AuthException(
          "auth type " + auth.type() + " needs tokenUrl, the OAuth 2.0 token endpoint; set"
              + " auth.tokenUrl",
          false);
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("https") || scheme.equals("http")) || url.getHost() == null) {
      throw new AuthException(
          "auth.tokenUrl " + TokenUrls.display(url) + " is not an absolute http(s) URL; set it to"
              + " the token endpoint, e.g. https://auth.example.org/oauth2/token",
          false);
    }
    return url;
  }

  private static void required(String value, String key, String type) {
    if (value == null || value.isEmpty()) {
      throw new AuthException(
          "auth type " + type + " needs " + key + "; set auth." + key, false);
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

      @Override
      public String toString() {
        return "Credentials[" + (preview == null ? "none" : preview) + "]";
      }
    };
  }
}
