package org.hms.sync.connector.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.hms.sync.Text;
import org.hms.sync.connector.http.AnswerClass;
import org.hms.sync.connector.http.AnswerTooLargeException;
import org.hms.sync.connector.http.Http;
import org.hms.sync.json.Json;
import org.hms.sync.json.JsonInputException;

/**
 * Bearer tokens from an OAuth 2.0 token endpoint, cached until shortly before they expire.
 *
 * <p>A token is reused until {@code expires_in} minus 10% of its lifetime or 30 seconds, whichever
 * is less, measured on the injected clock from the moment the token request was sent; without
 * {@code expires_in} a token is taken to live {@link #DEFAULT_LIFETIME}, and none is used longer
 * than {@link #MAX_LIFETIME}. Callers that find no fresh token share one token request. A failed
 * request is not cached: the next call tries again. {@link #invalidate()} drops the cached token.
 *
 * <p>Token endpoint failures: network errors, timeouts, 408, 425, 429 and 5xx are retryable, as
 * {@link AnswerClass} says; any other answer (400 {@code invalid_client}, 401, a 200 without {@code
 * access_token}, a body that is not JSON or larger than {@link Http#MAX_TOKEN_ANSWER_BYTES}, a
 * token that is not printable ASCII, ...) is not.
 */
final class TokenCredentials implements Credentials {
  /** How long a token lives when the endpoint's answer has no {@code expires_in}. */
  static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);
  /** A token is refreshed at most this long before it expires (and at most 10% of its life). */
  static final Duration MAX_EARLY_REFRESH = Duration.ofSeconds(30);
  /** A token is used for at most this long, whatever {@code expires_in} says. */
  static final Duration MAX_LIFETIME = Duration.ofDays(1);

  private static final int MAX_DESCRIPTION = 200;

  private final URI tokenUrl;
  private final String where;
  private final TokenGrant grant;
  private final HttpClient http;
  private final Clock clock;
  private final Duration timeout;

  private final Object lock = new Object();
  private Token cached; // guarded by lock
  private CompletableFuture<Token> inFlight; // guarded by lock

  /** One access token and when to stop using it; {@code toString} hides the token. */
  private record Token(String header, Instant refreshAt) {
    @Override
    public String toString() {
      return "Token[header=Bearer ***, refreshAt=" + refreshAt + "]";
    }
  }

  TokenCredentials(URI tokenUrl, TokenGrant grant, HttpClient http, Clock clock, Duration timeout) {
    this.tokenUrl = tokenUrl;
    this.where = TokenUrls.display(tokenUrl);
    this.grant = grant;
    this.http = http;
    this.clock = clock;
    this.timeout = timeout;
  }

  /**
   * The cached token while it is fresh; else the token of the request in flight, or of a new one.
   * Completes exceptionally with {@link AuthException}.
   */
  @Override
  public CompletableFuture<Optional<String>> authorization() {
    CompletableFuture<Token> pending;
    boolean start = false;
    synchronized (lock) {
      if (cached != null && clock.instant().isBefore(cached.refreshAt())) {
        return CompletableFuture.completedFuture(Optional.of(cached.header()));
      }
      if (inFlight == null) {
        inFlight = new CompletableFuture<>();
        start = true;
      }
      pending = inFlight;
    }
    if (start) {
      fetch(pending);
    }
    return pending.thenApply(token -> Optional.of(token.header()));
  }

  /**
   * Forgets the cached token, so that the next call fetches a new one. A token request already in
   * flight is kept: its token was asked for after the refused one.
   */
  @Override
  public boolean invalidate() {
    synchronized (lock) {
      cached = null;
    }
    return true;
  }

  @Override
  public Optional<String> preview() {
    return Optional.of("Bearer <token from " + where + ">");
  }

  @Override
  public String toString() {
    return "TokenCredentials[" + grant.describe() + ", tokenUrl=" + where + "]";
  }

  private void fetch(CompletableFuture<Token> pending) {
    Instant sentAt = clock.instant();
    HttpRequest request;
    try {
      request = request(sentAt);
    } catch (AuthException failure) {
      settle(pending, null, failure);
      return;
    }
    long ceiling =
        timeout.plus(http.connectTimeout().orElse(Duration.ZERO)).plusSeconds(1).toMillis();
    http.sendAsync(request, Http.bounded(Http.MAX_TOKEN_ANSWER_BYTES))
        .orTimeout(ceiling, TimeUnit.MILLISECONDS)
        .handle(
            (response, failure) -> {
              try {
                if (failure != null) {
                  AnswerTooLargeException tooLarge = AnswerTooLargeException.in(failure);
                  throw tooLarge == null ? networkFailure(failure) : tooLarge(tooLarge);
                }
                settle(pending, token(response.statusCode(), response.body(), sentAt), null);
              } catch (AuthException refused) {
                settle(pending, null, refused);
              } catch (RuntimeException unexpected) {
                settle(
                    pending,
                    null,
                    new AuthException(
                        "reading the answer of token endpoint " + where + " failed: "
                            + unexpected.getClass().getSimpleName(),
                        false,
                        unexpected));
              }
              return null;
            });
  }

  private void settle(CompletableFuture<Token> pending, Token token, AuthException failure) {
    synchronized (lock) {
      if (token != null) {
        cached = token;
      }
      inFlight = null;
    }
    if (failure == null) {
      pending.complete(token);
    } else {
      pending.completeExceptionally(failure);
    }
  }

  private HttpRequest request(Instant now) {
    StringJoiner body = new StringJoiner("&");
    for (Map.Entry<String, String> parameter : grant.form(now).entrySet()) {
      body.add(formEncode(parameter.getKey()) + "=" + formEncode(parameter.getValue()));
    }
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(tokenUrl)
            .timeout(timeout)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .header("User-Agent", Http.USER_AGENT)
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    String clientAuthorization = grant.clientAuthorization();
    if (clientAuthorization != null) {
      builder.header("Authorization", clientAuthorization);
    }
    return builder.build();
  }

  private AuthException networkFailure(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
      return new AuthException(
          "token endpoint " + where + " did not answer within " + timeout.toMillis()
              + " ms; will try again",
          true,
          cause);
    }
    if (cause instanceof ConnectException) {
      return new AuthException(
          "cannot connect to token endpoint " + where + "; will try again", true, cause);
    }
    return new AuthException(
        "network error on token endpoint " + where + " (" + cause.getClass().getSimpleName()
            + (cause.getMessage() == null ? "" : ": " + grant.mask(cause.getMessage()))
            + "); will try again",
        true,
        cause);
  }

  /** An answer larger than a token endpoint sends: judged by its status, else refused. */
  private AuthException tooLarge(AnswerTooLargeException answer) {
    int status = answer.statusCode();
    if (AnswerClass.of(status) != AnswerClass.SUCCESS) {
      return refused(status, null);
    }
    return new AuthException(
        "token endpoint " + where + " answered HTTP " + status + " without a usable access_token ("
            + answer.getMessage() + "); check that auth.tokenUrl is the token endpoint",
        false,
        answer);
  }

  private Token token(int status, byte[] body, Instant sentAt) {
    if (AnswerClass.of(status) != AnswerClass.SUCCESS) {
      throw refused(status, body);
    }
    JsonNode answer;
    try {
      answer = Json.read(body);
    } catch (JsonInputException unreadable) {
      throw new AuthException(
          "token endpoint " + where + " answered HTTP " + status + " without an access_token: its"
              + " body is not JSON (" + unreadable.problem() + "); check that auth.tokenUrl is"
              + " the token endpoint",
          false);
    }
    JsonNode accessToken = answer.isObject() ? answer.get("access_token") : null;
    if (accessToken == null || !accessToken.isTextual() || accessToken.asText().isEmpty()) {
      throw new AuthException(
          "token endpoint " + where + " answered HTTP " + status + " without an access_token;"
              + " check that auth.tokenUrl is the token endpoint",
          false);
    }
    String unprintable = unprintable(accessToken.asText());
    if (unprintable != null) {
      throw new AuthException(
          "token endpoint " + where + " issued an access_token that " + unprintable + "; a token"
              + " must be printable ASCII (RFC 6749), check the token endpoint",
          false);
    }
    JsonNode tokenType = answer.get("token_type");
    if (tokenType != null
        && !tokenType.isNull()
        && !tokenType.asText().toLowerCase(Locale.ROOT).equals("bearer")) {
      throw new AuthException(
          "token endpoint " + where + " issued a token of type '"
              + Text.excerpt(tokenType.isValueNode() ? tokenType.asText() : "(not text)", 40)
              + "'; only Bearer tokens are supported",
          false);
    }
    Duration lifetime = lifetime(answer.get("expires_in"));
    Duration early = lifetime.dividedBy(10);
    if (early.compareTo(MAX_EARLY_REFRESH) > 0) {
      early = MAX_EARLY_REFRESH;
    }
    return new Token("Bearer " + accessToken.asText(), sentAt.plus(lifetime).minus(early));
  }

  /** Why the token cannot go into a header (what, never the token), or null when it can. */
  private static String unprintable(String token) {
    for (int index = 0; index < token.length(); index++) {
      char current = token.charAt(index);
      if (current < 0x20 || current > 0x7e) {
        return "holds a character outside printable ASCII ("
            + String.format("U+%04X", (int) current) + ") at position " + index;
      }
    }
    return null;
  }

  private static Duration lifetime(JsonNode expiresIn) {
    if (expiresIn == null || expiresIn.isNull()) {
      return DEFAULT_LIFETIME;
    }
    long seconds;
    if (expiresIn.isNumber()) {
      seconds = expiresIn.asLong();
    } else if (expiresIn.isTextual() && expiresIn.asText().trim().matches("-?\\d{1,18}")) {
      seconds = Long.parseLong(expiresIn.asText().trim());
    } else {
      return DEFAULT_LIFETIME;
    }
    return Duration.ofSeconds(Math.min(Math.max(seconds, 0), MAX_LIFETIME.getSeconds()));
  }

  private AuthException refused(int status, byte[] body) {
    boolean retryable = AnswerClass.of(status) == AnswerClass.RETRYABLE;
    JsonNode answer = json(body);
    String error = text(answer, "error");
    String description = text(answer, "error_description");
    StringBuilder message =
        new StringBuilder("token endpoint ").append(where).append(" answered HTTP ").append(status);
    if (error != null) {
      message.append(" (").append(error);
      if (description != null) {
        message.append(": ").append(description);
      }
      message.append(')');
    }
    if (retryable) {
      message.append("; will try again");
    } else if ("invalid_scope".equals(error)) {
      message.append("; check auth.scope");
    } else if (status == 401 || "invalid_client".equals(error)
        || "unauthorized_client".equals(error)) {
      message.append("; ").append(grant.clientHint());
    } else {
      message.append("; check auth.tokenUrl and the client's registration at the server");
    }
    return new AuthException(message.toString(), retryable);
  }

  /** A short, printable, secret-free excerpt of a string field of the answer, or null. */
  private String text(JsonNode answer, String field) {
    JsonNode value = answer == null ? null : answer.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      return null;
    }
    String text = grant.mask(value.asText()).replaceAll("[\\p{Cntrl}\\s]+", " ").trim();
    return text.length() > MAX_DESCRIPTION ? text.substring(0, MAX_DESCRIPTION) + "…" : text;
  }

  /** The error answer as a JSON object, or null when it is none (an error page, too large). */
  private static JsonNode json(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    try {
      JsonNode node = Json.read(body);
      return node.isObject() ? node : null;
    } catch (JsonInputException notJson) {
      return null;
    }
  }

  private static String formEncode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
