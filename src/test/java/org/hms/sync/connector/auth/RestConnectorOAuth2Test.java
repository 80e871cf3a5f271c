package org.hms.sync.connector.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.hms.sync.config.AuthConfig;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.RetryConfig;
import org.hms.sync.config.RouteConfig;
import org.hms.sync.config.TimeoutsConfig;
import org.hms.sync.connector.Preview;
import org.hms.sync.connector.rest.RestConnector;
import org.hms.sync.delivery.PushRequest;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.mapping.MappingInput;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.outbox.OutboxEvent;
import org.hms.sync.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A RestConnector with auth oauth2, against a real token endpoint and a real API that refuses the
 * first token: the connector sends {@code Authorization: Bearer <token>}, and after a 401 the next
 * push fetches a new token.
 */
class RestConnectorOAuth2Test {
  private static final String CLIENT_ID = "hms-sync";
  private static final String SECRET = "oauth-client-secret-42";

  private final TokenServer tokens = TokenServer.start().requireClient(CLIENT_ID, SECRET);
  private final Api api = new Api();
  private final MutableClock clock = new MutableClock(Instant.parse("2027-03-01T08:00:00Z"));
  private final OutboxEvent created = SampleEvents.event(EventTypes.CREATED, 1);

  @AfterEach
  void stop() {
    tokens.close();
    api.close();
  }

  /** The appointment API: answers 401 to the first {@code refusals} requests, then 201. */
  private static final class Api implements AutoCloseable {
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final AtomicInteger refusals = new AtomicInteger();
    final Javalin server =
        Javalin.create(
                config -> {
                  config.showJavalinBanner = false;
                  config.startupWatcherEnabled = false;
                })
            .post(
                "/appointments",
                context -> {
                  authorizations.add(context.header("Authorization"));
                  if (refusals.getAndDecrement() > 0) {
                    context.status(401).result("{\"error\":\"invalid_token\"}");
                  } else {
                    context.status(201).result("{\"id\":\"iis-42\"}");
                  }
                })
            .start("127.0.0.1", 0);

    URI baseUrl() {
      return URI.create("http://127.0.0.1:" + server.port());
    }

    @Override
    public void close() {
      server.stop();
    }
  }

  private RestConnector connector(URI tokenUrl) {
    ConnectorConfig config =
        new ConnectorConfig(
            "state-iis",
            "rest",
            api.baseUrl(),
            AuthConfig.oauth2(tokenUrl, CLIENT_ID, SECRET, "appointments"),
            new TimeoutsConfig(Duration.ofSeconds(2), Duration.ofSeconds(5)),
            RetryConfig.defaults(),
            Map.of(),
            Map.of(
                EventTypes.CREATED,
                new RouteConfig(EventTypes.CREATED, "POST", "/appointments", null, "/id")));
    return RestConnector.create(config, clock);
  }

  private PushResult push(RestConnector connector, int attempt) throws Exception {
    return connector
        .push(new PushRequest("delivery-1", "idem-1", attempt, created, null))
        .get(15, TimeUnit.SECONDS);
  }

  @Test
  void connector_sends_the_token_as_bearer_and_reuses_it() throws Exception {
    RestConnector connector = connector(tokens.tokenUrl());

    PushResult first = push(connector, 1);
    PushResult second = push(connector, 1);

    assertThat(first).isEqualTo(new PushResult.Success(201, "iis-42", null));
    assertThat(second).isInstanceOf(PushResult.Success.class);
    assertThat(api.authorizations).containsExactly("Bearer token-1", "Bearer token-1");
    assertThat(tokens.requestCount()).isEqualTo(1);
  }

  @Test
  void a_401_from_the_api_is_retried_with_a_new_token() throws Exception {
    api.refusals.set(1);
    RestConnector connector = connector(tokens.tokenUrl());

    PushResult refused = push(connector, 1);
    PushResult accepted = push(connector, 2);

    assertThat(refused)
        .as("a refused token is renewed, so the attempt is worth repeating")
        .isInstanceOfSatisfying(
            PushResult.Retryable.class,
            result -> {
              assertThat(result.httpStatus()).isEqualTo(401);
              assertThat(result.reason()).contains("access token is renewed");
            });
    assertThat(accepted).isEqualTo(new PushResult.Success(201, "iis-42", null));
    assertThat(api.authorizations).containsExactly("Bearer token-1", "Bearer token-2");
    assertThat(tokens.requestCount()).isEqualTo(2);
  }

  @Test
  void an_unreachable_token_endpoint_makes_the_push_retryable_without_calling_the_api()
      throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    RestConnector connector = connector(URI.create("http://127.0.0.1:" + port + "/token"));

    PushResult result = push(connector, 1);

    assertThat(result).isInstanceOfSatisfying(
        PushResult.Retryable.class,
        retryable -> {
          assertThat(retryable.errorClass()).isEqualTo("AuthException");
          assertThat(retryable.reason()).contains("/token").doesNotContain(SECRET);
        });
    assertThat(api.authorizations).isEmpty();
  }

  @Test
  void refused_client_credentials_make_the_push_permanent() throws Exception {
    tokens.requireClient(CLIENT_ID, "the-real-secret");
    RestConnector connector = connector(tokens.tokenUrl());

    PushResult result = push(connector, 1);

    assertThat(result).isInstanceOfSatisfying(
        PushResult.Permanent.class,
        permanent -> {
          assertThat(permanent.errorClass()).isEqualTo("AuthException");
          assertThat(permanent.reason()).contains("invalid_client").doesNotContain(SECRET);
        });
    assertThat(api.authorizations).isEmpty();
  }

  @Test
  void preview_masks_the_token_and_fetches_none() {
    RestConnector connector = connector(tokens.tokenUrl());

    Preview preview =
        connector.preview(EventTypes.CREATED, MappingInput.of(created, null), "idem-1");

    assertThat(preview.request().headers())
        .containsEntry("Authorization", "Bearer <token from " + tokens.tokenUrl() + ">");
    assertThat(tokens.requestCount()).isZero();
  }
}
