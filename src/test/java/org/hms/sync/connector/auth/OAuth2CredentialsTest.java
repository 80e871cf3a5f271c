package org.hms.sync.connector.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hms.sync.connector.auth.Tokens.failure;
import static org.hms.sync.connector.auth.Tokens.header;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hms.sync.config.AuthConfig;
import org.hms.sync.connector.auth.TokenServer.TokenRequest;
import org.hms.sync.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** OAuth 2.0 client credentials against a real token endpoint: the request, caching, failures. */
class OAuth2CredentialsTest {
  private static final String CLIENT_ID = "hms-sync";
  /** Has characters that client_secret_basic must form-urlencode. */
  private static final String SECRET = "s3cr:t/+ é&x";

  private final TokenServer server = TokenServer.start().requireClient(CLIENT_ID, SECRET);
  private final MutableClock clock = new MutableClock(Instant.parse("2027-03-01T08:00:00Z"));
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    server.close();
  }

  private Credentials credentials(String scope) {
    return Credentials.of(
        AuthConfig.oauth2(server.tokenUrl(), CLIENT_ID, SECRET, scope), http, clock);
  }

  private Credentials credentials() {
    return credentials("system/Appointment.write system/Slot.read");
  }

  // ---- the token request ----

  @Test
  void token_request_is_a_form_post_with_client_credentials_grant_scope_and_basic_client_auth() {
    String header = header(credentials());

    assertThat(header).isEqualTo("Bearer token-1");
    TokenRequest request = server.received().get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.contentType()).startsWith("application/x-www-form-urlencoded");
    assertThat(request.accept()).isEqualTo("application/json");
    assertThat(request.form())
        .containsEntry("grant_type", "client_credentials")
        .containsEntry("scope", "system/Appointment.write system/Slot.read")
        .doesNotContainKeys("client_secret", "client_id");
    String pair =
        new String(
            Base64.getDecoder().decode(request.authorization().substring("Basic ".length())),
            StandardCharsets.UTF_8);
    assertThat(pair).isEqualTo("hms-sync:s3cr%3At%2F%2B+%C3%A9%26x");
  }

  @Test
  void token_request_without_a_scope_sends_no_scope_parameter() {
    header(credentials(null));

    assertThat(server.received().get(0).form()).doesNotContainKey("scope");
  }

  @Test
  void a_wrong_client_secret_is_refused_and_not_retryable_and_the_secret_is_not_in_the_message() {
    Credentials wrong =
        Credentials.of(
            AuthConfig.oauth2(server.tokenUrl(), CLIENT_ID, "not-the-secret", null), http, clock);

    AuthException refused = failure(wrong);

    assertThat(refused.retryable()).isFalse();
    assertThat(refused.getMessage())
        .contains(server.tokenUrl().toString())
        .contains("HTTP 401")
        .contains("invalid_client")
        .contains("auth.clientSecret")
        .doesNotContain("not-the-secret");
  }

  // ---- caching ----

  @Test
  void second_call_reuses_the_cached_token_without_a_new_request() {
    Credentials credentials = credentials();

    String first = header(credentials);
    String second = header(credentials);

    assertThat(first).isEqualTo("Bearer token-1");
    assertThat(second).isEqualTo("Bearer token-1");
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void token_is_refreshed_30_seconds_before_a_long_expiry() {
    server.expiresIn("3600");
    Credentials credentials = credentials();
    header(credentials);

    clock.advance(Duration.ofSeconds(3569));
    assertThat(header(credentials)).isEqualTo("Bearer token-1");

    clock.advance(Duration.ofSeconds(1));
    assertThat(header(credentials)).isEqualTo("Bearer token-2");
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void token_is_refreshed_a_tenth_of_its_life_before_a_short_expiry() {
    server.expiresIn("100");
    Credentials credentials = credentials();
    header(credentials);

    clock.advance(Duration.ofSeconds(89));
    assertThat(header(credentials)).isEqualTo("Bearer token-1");

    clock.advance(Duration.ofSeconds(1));
    assertThat(header(credentials)).isEqualTo("Bearer token-2");
  }

  @Test
  void expires_in_as_a_string_is_honoured() {
    server.expiresIn("\"100\"");
    Credentials credentials = credentials();
    header(credentials);

    clock.advance(Duration.ofSeconds(90));

    assertThat(header(credentials)).isEqualTo("Bearer token-2");
  }

  @Test
  void token_without_expires_in_is_taken_to_live_five_minutes() {
    server.expiresIn(null);
    Credentials credentials = credentials();
    header(credentials);

    clock.advance(Duration.ofSeconds(269));
    assertThat(header(credentials)).isEqualTo("Bearer token-1");

    clock.advance(Duration.ofSeconds(1));
    assertThat(header(credentials)).isEqualTo("Bearer token-2");
  }

  @Test
  void invalidate_makes_the_next_call_fetch_a_new_token() {
    Credentials credentials = credentials();
    header(credentials);

    credentials.invalidate();

    assertThat(header(credentials)).isEqualTo("Bearer token-2");
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void concurrent_callers_share_one_token_request() throws Exception {
    Credentials credentials = credentials();
    server.hold();
    int callers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<CompletableFuture<Optional<String>>>> calls = new ArrayList<>();
      for (int caller = 0; caller < callers; caller++) {
        calls.add(
            pool.submit(
                () -> {
                  start.await();
                  return credentials.authorization();
                }));
      }
      start.countDown();
      List<CompletableFuture<Optional<String>>> pending = new ArrayList<>();
      for (Future<CompletableFuture<Optional<String>>> call : calls) {
        pending.add(call.get());
      }
      await().until(() -> server.requestCount() == 1);
      assertThat(pending).noneMatch(CompletableFuture::isDone);

      server.release();

      for (CompletableFuture<Optional<String>> authorization : pending) {
        assertThat(header(authorization)).isEqualTo("Bearer token-1");
      }
      assertThat(server.requestCount()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- failures ----

  @Test
  void server_error_is_retryable_and_is_not_cached() {
    server.answerNext(503, "{\"error\":\"temporarily_unavailable\"}");
    Credentials credentials = credentials();

    AuthException unavailable = failure(credentials);

    assertThat(unavailable.retryable()).isTrue();
    assertThat(unavailable.getMessage())
        .contains(server.tokenUrl().toString())
        .contains("HTTP 503")
        .contains("temporarily_unavailable");
    assertThat(header(credentials)).isEqualTo("Bearer token-1");
  }

  @Test
  void too_many_requests_is_retryable() {
    server.answerNext(429, "");

    AuthException throttled = failure(credentials());

    assertThat(throttled.retryable()).isTrue();
    assertThat(throttled.getMessage()).contains("HTTP 429");
  }

  @Test
  void too_early_is_retryable() {
    server.answerNext(425, "");

    AuthException early = failure(credentials());

    assertThat(early.retryable()).isTrue();
    assertThat(early.getMessage()).contains("HTTP 425").contains("will try again");
  }

  @Test
  void request_timeout_is_retryable() {
    server.answerNext(408, "");

    AuthException timedOut = failure(credentials());

    assertThat(timedOut.retryable()).isTrue();
    assertThat(timedOut.getMessage()).contains("HTTP 408");
  }

  @Test
  void invalid_scope_is_not_retryable_and_points_at_the_scope() {
    server.answerNext(400, "{\"error\":\"invalid_scope\",\"error_description\":\"unknown scope\"}");

    AuthException refused = failure(credentials());

    assertThat(refused.retryable()).isFalse();
    assertThat(refused.getMessage())
        .contains("HTTP 400 (invalid_scope: unknown scope)")
        .contains("check auth.scope");
  }

  @Test
  void an_error_description_that_echoes_the_secret_is_masked() {
    server.answerNext(
        400,
        "{\"error\":\"invalid_client\",\"error_description\":\"secret " + SECRET + " is wrong\"}");

    AuthException refused = failure(credentials());

    assertThat(refused.getMessage()).contains("secret *** is wrong").doesNotContain(SECRET);
  }

  @Test
  void an_answer_without_access_token_is_not_retryable() {
    server.answerNext(200, "<html>login page</html>");

    AuthException unreadable = failure(credentials());

    assertThat(unreadable.retryable()).isFalse();
    assertThat(unreadable.getMessage())
        .contains("without an access_token")
        .contains("auth.tokenUrl");
  }

  @Test
  void a_token_that_is_not_a_bearer_token_is_refused() {
    server.answerNext(200, "{\"access_token\":\"abc\",\"token_type\":\"mac\"}");

    AuthException refused = failure(credentials());

    assertThat(refused.retryable()).isFalse();
    assertThat(refused.getMessage()).contains("'mac'").doesNotContain("abc");
  }

  @Test
  void an_endpoint_that_does_not_answer_in_time_is_retryable() {
    server.hold();
    Credentials slow =
        Credentials.of(
            AuthConfig.oauth2(server.tokenUrl(), CLIENT_ID, SECRET, null),
            http,
            clock,
            Duration.ofMillis(300));

    AuthException timedOut = failure(slow);

    assertThat(timedOut.retryable()).isTrue();
    assertThat(timedOut.getMessage()).contains("did not answer within 300 ms");
  }

  @Test
  void an_endpoint_nobody_listens_on_is_retryable() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    URI nowhere = URI.create("http://127.0.0.1:" + port + "/token");
    Credentials credentials =
        Credentials.of(AuthConfig.oauth2(nowhere, CLIENT_ID, SECRET, null), http, clock);

    AuthException unreachable = failure(credentials);

    assertThat(unreachable.retryable()).isTrue();
    assertThat(unreachable.getMessage()).contains(nowhere.toString()).doesNotContain(SECRET);
  }

  @Test
  void a_token_url_query_is_masked_in_messages() {
    URI withKey = URI.create(server.tokenUrl() + "?api_key=zz-top-secret");
    server.answerNext(500, "");
    Credentials credentials =
        Credentials.of(AuthConfig.oauth2(withKey, CLIENT_ID, SECRET, null), http, clock);

    AuthException failed = failure(credentials);

    assertThat(failed.getMessage())
        .contains(server.tokenUrl() + "?***")
        .doesNotContain("zz-top-secret");
    assertThat(credentials.preview().orElseThrow()).doesNotContain("zz-top-secret");
  }

  // ---- what is shown ----

  @Test
  void preview_shows_where_the_token_comes_from_without_a_request() {
    Optional<String> preview = credentials().preview();

    assertThat(preview).contains("Bearer <token from " + server.tokenUrl() + ">");
    assertThat(server.requestCount()).isZero();
  }

  @Test
  void to_string_shows_neither_the_secret_nor_the_token() {
    Credentials credentials = credentials();
    header(credentials);

    assertThat(credentials.toString())
        .contains(CLIENT_ID)
        .doesNotContain(SECRET)
        .doesNotContain("token-1");
  }

  @Test
  void missing_client_secret_fails_at_start_up_and_names_the_key() {
    AuthConfig incomplete = AuthConfig.oauth2(server.tokenUrl(), CLIENT_ID, null, null);

    assertThatThrownBy(() -> Credentials.of(incomplete, http, clock))
        .isInstanceOfSatisfying(
            AuthException.class, thrown -> assertThat(thrown.retryable()).isFalse())
        .hasMessageContaining("auth.clientSecret");
  }

  @Test
  void a_token_url_that_is_not_http_fails_at_start_up() {
    AuthConfig ftp =
        AuthConfig.oauth2(URI.create("ftp://auth.example.org/token"), CLIENT_ID, SECRET, null);

    assertThatThrownBy(() -> Credentials.of(ftp, http, clock))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("auth.tokenUrl")
        .hasMessageContaining("ftp://auth.example.org/token");
  }
}
