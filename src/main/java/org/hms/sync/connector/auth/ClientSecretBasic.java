package org.hms.sync.connector.auth;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hms.sync.config.AuthConfig;

/**
 * OAuth 2.0 client credentials grant (RFC 6749 4.4) with the client authenticating by HTTP Basic
 * ({@code client_secret_basic}, RFC 6749 2.3.1): the client id and secret are each
 * form-urlencoded, joined by {@code :} and Base64-encoded.
 */
final class ClientSecretBasic implements TokenGrant {
  private final String clientId;
  private final String clientSecret;
  private final String scope;
  private final String authorization;

  ClientSecretBasic(AuthConfig auth) {
    this.clientId = auth.clientId();
    this.clientSecret = auth.clientSecret();
    this.scope = auth.scope();
    String pair = formEncode(clientId) + ":" + formEncode(clientSecret);
    this.authorization =
        "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public Map<String, String> form(Instant now) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "client_credentials");
    if (scope != null && !scope.isBlank()) {
      form.put("scope", scope);
    }
    return form;
  }

  @Override
  public String clientAuthorization() {
    return authorization;
  }

  @Override
  public String clientHint() {
    return "check auth.clientId and auth.clientSecret";
  }

  @Override
  public String mask(String text) {
    if (text == null || clientSecret.isEmpty()) {
      return text;
    }
    return text.replace(clientSecret, "***").replace(formEncode(clientSecret), "***");
  }

  @Override
  public String describe() {
    return "oauth2 client '" + clientId + "'";
  }

  @Override
  public String toString() {
    return "ClientSecretBasic[" + describe() + ", clientSecret=***]";
  }

  private static String formEncode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
