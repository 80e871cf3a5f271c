package org.hms.sync.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.UUID;
import org.hms.sync.app.SyncApp;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.delivery.DeliveryObserver;
import org.hms.sync.http.ApiClient.Reply;
import org.hms.sync.scheduling.Location;
import org.hms.sync.scheduling.Patient;
import org.hms.sync.simulator.IisSimulator;
import org.hms.sync.simulator.SimulatorOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /api/reconciliations}, {@code GET /api/reconciliations[/{id}]}. */
class ReconciliationApiTest {
  private static final String TOKEN = "test-admin-token-reconcile";
  private static final Path DEMO = Path.of("examples/demo").toAbsolutePath();

  @TempDir Path dir;

  IisSimulator iis;
  SyncApp app;
  ApiClient api;

  @BeforeEach
  void start() throws IOException {
    iis = IisSimulator.start(SimulatorOptions.defaults());
    String yaml =
        """
        database:
          url: "jdbc:h2:mem:reconcile-api-%s;DB_CLOSE_DELAY=-1"
        connectors:
          - id: state-iis
            type: rest
            baseUrl: %s
            inbound:
              poll:
                path: /changes
                interval: 1h
                items: /items
                mapping: %s/iis-inbound.jsonata
            routes:
              list:
                path: /appointments?from={from}&to={to}
                items: /items
                mapping: %s/iis-list.jsonata
          - id: other
            type: rest
            baseUrl: http://127.0.0.1:9/api
        """
            .formatted(UUID.randomUUID(), iis.baseUrl(), DEMO, DEMO);
    Path config = Files.writeString(dir.resolve("hms-sync.yaml"), yaml);
    app = SyncApp.create(ConfigLoader.load(config, Map.of()), Clock.systemUTC(),
        DeliveryObserver.NONE);
    app.startEngine();
    app.startServer(TOKEN);
    api = new ApiClient(app.port(), TOKEN);
  }

  @AfterEach
  void stop() {
    app.close();
    iis.close();
  }

  @Test
  void a_run_answers_201_with_the_report_which_can_be_read_again() {
    Location clinic = app.scheduling().createLocation("CLINIC-A", "Clinic A");
    Patient patient =
        app.scheduling().createPatient("MRN-1", "Ada", "Lovelace", LocalDate.of(1990, 1, 1));
    Instant nine = Instant.parse("2027-03-01T09:00:00Z");
    app.scheduling().book(
        patient.id(),
        app.scheduling().createSlot(clinic.id(), nine, nine.plusSeconds(900), 1).id(), null);

    Reply created = api.post("api/reconciliations", ApiClient.json(
        "connector", "state-iis", "from", "2027-03-01T00:00:00Z", "to", "2027-03-02T00:00:00Z"));

    assertThat(created.status()).isEqualTo(201);
    JsonNode report = created.json();
    assertThat(report.path("connector").asText()).isEqualTo("state-iis");
    assertThat(report.path("status").asText()).isEqualTo("completed");
    assertThat(report.path("repair").asBoolean()).isFalse();
    assertThat(report.path("summary").path("emr").asInt()).isEqualTo(1);
    assertThat(report.path("summary").path("missingAtExternal").asInt()).isEqualTo(1);
    assertThat(report.path("differences").get(0).path("kind").asText())
        .isEqualTo("missingAtExternal");
    assertThat(created.text()).doesNotContain("MRN-1", "Lovelace");
    String id = report.path("id").asText();
    assertThat(created.header("Location")).contains("/api/reconciliations/" + id);

    Reply found = api.get("api/reconciliations/" + id);
    assertThat(found.status()).isEqualTo(200);
    assertThat(found.json().path("summary")).isEqualTo(report.path("summary"));
    Reply listed = api.get("api/reconciliations?connector=state-iis");
    assertThat(listed.json().path("reconciliations").get(0).path("id").asText()).isEqualTo(id);

    JsonNode connectors = api.get("api/connectors").json().path("items");
    JsonNode iisView = connectors.get(0);
    assertThat(iisView.path("lastReconciliation").path("id").asText()).isEqualTo(id);
    assertThat(iisView.path("lastReconciliation").path("drift").asInt()).isEqualTo(1);
    assertThat(iisView.path("capabilities").toString()).contains("list");
    assertThat(connectors.get(1).has("lastReconciliation")).isFalse();
    assertThat(connectors.get(1).has("poll")).isFalse();
  }

  @Test
  void a_polled_connector_shows_its_poller_in_the_connector_list() {
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(20))
        .until(() -> !api.get("api/connectors").json().path("items").get(0).path("poll")
            .path("lastPolledAt").isNull());
    JsonNode poll = api.get("api/connectors").json().path("items").get(0).path("poll");
    assertThat(poll.path("failures").asInt()).isZero();
    assertThat(poll.path("lastError").isNull()).isTrue();
    assertThat(poll.has("cursor")).isTrue();
    assertThat(poll.path("nextPollAt").asText()).isNotEmpty();
  }

  @Test
  void bad_requests_are_refused_and_store_nothing() {
    String range = "\"from\": \"2027-03-01T00:00:00Z\", \"to\": \"2027-03-02T00:00:00Z\"";

    assertThat(api.post("api/reconciliations", "{\"connector\": \"nope\", " + range + "}").status())
        .isEqualTo(404);
    Reply cannotList = api.post("api/reconciliations", "{\"connector\": \"other\", " + range + "}");
    assertThat(cannotList.status()).isEqualTo(400);
    assertThat(cannotList.field("detail")).contains("cannot list appointments");
    Reply backwards = api.post("api/reconciliations", ApiClient.json(
        "connector", "state-iis", "from", "2027-03-02T00:00:00Z", "to", "2027-03-01T00:00:00Z"));
    assertThat(backwards.status()).isEqualTo(400);
    assertThat(backwards.field("detail")).contains("must be before");
    assertThat(api.post("api/reconciliations", "{\"connector\": \"state-iis\"}").status())
        .isEqualTo(400);
    assertThat(api.post("api/reconciliations", "{\"connector\": \"state-iis\", " + range
        + ", \"repair\": \"yes\"}").status()).isEqualTo(400);
    assertThat(api.post("api/reconciliations", "{\"connector\": \"state-iis\", " + range
        + ", \"fix\": true}").status()).isEqualTo(400);
    assertThat(api.post("api/reconciliations", "{not json").status()).isEqualTo(400);
    assertThat(api.withToken("wrong").post("api/reconciliations", "{}").status()).isEqualTo(401);
    assertThat(api.get("api/reconciliations/" + UUID.randomUUID()).status()).isEqualTo(404);

    assertThat(api.get("api/reconciliations").json().path("reconciliations")).isEmpty();
  }
}
