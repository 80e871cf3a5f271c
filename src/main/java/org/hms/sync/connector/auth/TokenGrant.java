package org.hms.sync.connector.auth;

import java.time.Instant;
import java.util.Map;

/** One way of asking an OAuth 2.0 token endpoint for an access token with client credentials. */
interface TokenGrant {

  /**
   * The form parameters of one token request made at {@code now}. Called for every request, so a
   * grant may put a fresh, single-use value (a signed assertion) in each.
   *
   * @throws AuthException (not retryable) when the request cannot be made, e.g. signing failed
   */
  Map<String, String> form(Instant now);

  /** The token request's own Authorization header (client_secret_basic), or {@code null}. */
  String clientAuthorization();

  /** The config keys to check when the endpoint refuses the client, for error messages. */
  String clientHint();

  /** The text with every secret this grant knows replaced by {@code ***}. */
  String mask(String text);

  /** What the grant is, without secrets, e.g. {@code oauth2 client 'sync'}. */
  String describe();
}
