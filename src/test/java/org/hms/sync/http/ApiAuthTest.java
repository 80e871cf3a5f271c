package org.hms.sync.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hms.sync.http.ProblemAssert.assertProblem;

import java.nio.file.Path;
import org.hms.sync.http.ApiClient.Reply;
import org.hms.sync.simulator.IisSimulator;
import org.hms.sync.simulator.SimulatorOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiAuthTest {
  @TempDir Path dir;

  private IisSimulator iis;
  private RunningSync sync;

  @BeforeEach
  void start() {
    iis = IisSimulator.start(SimulatorOptions.defaults());
    sync = RunningSync.start(dir, iis.baseUrl());
  }

  @AfterEach
  void stop() {
    sync.close();
    iis.close();
  }

  @Test
  void api_without_a_token_answers_401_problem_json() {
    ApiClient anonymous = sync.api.withToken(null);

    for (String path : new String[] {"/api/connectors", "/api/deliveries", "/api/appointments"}) {
      Reply reply = anonymous.get(path);

      String detail = assertProblem(reply, 401);
      assertThat(detail).contains("Authorization: Bearer");
      assertThat(reply.header("WWW-Authenticate")).hasValueSatisfying(
          challenge -> assertThat(challenge).startsWith("Bearer"));
    }
  }

  @Test
  void api_with_a_wrong_token_answers_401_and_changes_nothing() {
    RunningSync.Counts before = sync.counts();
    ApiClient intruder = sync.api.withToken("not-the-admin-token");

    Reply created =
        intruder.post(
            "/api/patients",
            ApiClient.json(
                "mrn", "MRN-X", "givenName", "Eve", "familyName", "Intruder",
                "birthDate", "1990-01-01"));

    assertProblem(created, 401);
    assertThat(assertProblem(intruder.get("/api/connectors"), 401))
        .doesNotContain(RunningSync.ADMIN_TOKEN);
    assertThat(sync.counts()).isEqualTo(before);
  }

  @Test
  void api_with_the_admin_token_answers() {
    Reply connectors = sync.api.get("/api/connectors");

    assertThat(connectors.status()).isEqualTo(200);
    assertThat(connectors.json().path("items").get(0).path("id").asText())
        .isEqualTo(RunningSync.CONNECTOR);
    assertThat(sync.api.get("/api/deliveries").json().path("items")).isEmpty();
  }

  @Test
  void a_token_sent_other_than_as_bearer_answers_401() {
    Reply basic =
        sync.api
            .withToken(null)
            .get("/api/connectors", "Authorization", "Basic " + RunningSync.ADMIN_TOKEN);

    assertProblem(basic, 401);
  }

  @Test
  void health_and_metrics_are_open_without_a_token() {
    ApiClient anonymous = sync.api.withToken(null);

    Reply live = anonymous.get("/health/live");
    Reply ready = anonymous.get("/health/ready");
    Reply metrics = anonymous.get("/metrics");

    assertThat(live.status()).isEqualTo(200);
    assertThat(live.field("status")).isEqualTo("UP");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.field("status")).isEqualTo("UP");
    assertThat(ready.field("database")).isEqualTo("reachable");
    assertThat(ready.json().path("pendingMigrations").asInt()).isZero();
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.contentType()).startsWith("text/plain");
    assertThat(metrics.text()).contains("hms_delivery_backlog{connector=\"state-iis\"}");
  }

  @Test
  void an_unknown_api_path_with_the_token_answers_404_problem_json() {
    assertProblem(sync.api.get("/api/no-such-thing"), 404);
  }
}
