package org.hms.sync.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.javalin.Javalin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hms.sync.app.SyncApp;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.delivery.DeliveryObserver;
import org.hms.sync.json.Json;
import org.hms.sync.scheduling.Appointment;
import org.hms.sync.scheduling.AppointmentStatus;
import org.hms.sync.scheduling.Location;
import org.hms.sync.scheduling.Patient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A connector with inbound.poll from YAML: the running app polls the feed and applies it. */
class PollEndToEndTest {
  @TempDir Path dir;

  SyncApp app;
  Javalin feed;
  final List<Map<String, String>> changes = new CopyOnWriteArrayList<>();
  final List<String> authorizations = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    feed =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.startupWatcherEnabled = false;
            });
    feed.get(
        "/api/changes",
        context -> {
          authorizations.add(String.valueOf(context.header("Authorization")));
          context.contentType("application/json").result(Json.write(Map.of("items", changes)));
        });
    feed.start("127.0.0.1", 0);
    Files.writeString(
        dir.resolve("poll.jsonata"),
        "{\"action\": payload.action, \"externalId\": payload.appointment}");
    String yaml =
        """
        database:
          url: "jdbc:h2:mem:poll-%s;DB_CLOSE_DELAY=-1"
        connectors:
          - id: portal
            type: rest
            baseUrl: http://127.0.0.1:%d/api
            auth:
              type: bearer
              token: ${PORTAL_TOKEN}
            inbound:
              poll:
                path: /changes
                interval: 1s
                items: /items
                cursorField: /updatedAt
                idField: /changeId
                mapping: poll.jsonata
        """
            .formatted(UUID.randomUUID(), feed.port());
    Path config = Files.writeString(dir.resolve("hms-sync.yaml"), yaml);
    app =
        SyncApp.create(
            ConfigLoader.load(config, Map.of("PORTAL_TOKEN", "feed-token-1")), Clock.systemUTC(),
            DeliveryObserver.NONE);
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
    if (feed != null) {
      feed.stop();
    }
  }

  @Test
  void a_change_polled_from_the_feed_is_applied_and_the_cursor_is_saved() {
    Location clinic = app.scheduling().createLocation("CLINIC-1", "Clinic one");
    Patient patient =
        app.scheduling().createPatient("MRN-1", "Ada", "Lovelace", LocalDate.of(1990, 1, 1));
    Instant start = Instant.parse("2027-03-01T09:00:00Z");
    Appointment appointment =
        app.scheduling()
            .book(
                patient.id(),
                app.scheduling().createSlot(clinic.id(), start, start.plusSeconds(900), 3).id(),
                null);
    try (var connection = app.database().dataSource().getConnection();
        var insert =
            connection.prepareStatement(
                "INSERT INTO external_ref (connector_id, appointment_id, external_id, updated_at)"
                    + " VALUES ('portal', ?, 'p-1', CURRENT_TIMESTAMP)")) {
      insert.setString(1, appointment.id());
      insert.executeUpdate();
    } catch (java.sql.SQLException failure) {
      throw new IllegalStateException(failure);
    }
    changes.add(
        Map.of(
            "changeId", "c1", "action", "cancel", "appointment", "p-1", "updatedAt",
            "2027-02-01T08:00:01Z"));

    app.startEngine();

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        app.scheduling().findAppointment(appointment.id()).orElseThrow().status())
                    .isEqualTo(AppointmentStatus.CANCELLED));
    assertThat(app.pollStates().find("portal").orElseThrow().cursor())
        .isEqualTo("2027-02-01T08:00:01Z");
    assertThat(authorizations).first().isEqualTo("Bearer feed-token-1");
    assertThat(app.inbox().list("portal", null, 10)).hasSize(1);
  }
}
