package org.hms.sync.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.hms.sync.app.SyncApp;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.config.SyncConfig;
import org.hms.sync.delivery.DeliveryObserver;
import org.hms.sync.http.ApiClient.Reply;
import org.hms.sync.testing.TestDatabases;
import org.hms.sync.testing.TestDb;

/**
 * The whole service (engine and HTTP API) on a fresh in-memory H2 database, with one REST
 * connector {@value #CONNECTOR} pointed at an IIS, configured as in the shipped demo but with
 * short retries. Set-up and inspection go through the HTTP API, as a client would.
 */
final class RunningSync implements AutoCloseable {
  static final String ADMIN_TOKEN = "test-admin-token-7f3a";
  static final String CONNECTOR = "state-iis";
  static final Duration PATIENCE = Duration.ofSeconds(10);

  private static final Path DEMO_MAPPING = Path.of("examples/demo/iis-appointment.jsonata");
  private static final Instant FIRST_SLOT = Instant.parse("2027-03-01T09:00:00Z");

  final SyncApp app;
  final ApiClient api;
  private final AtomicInteger made = new AtomicInteger();
  private final TestDb postgres;
  private final SyncConfig config;

  private RunningSync(SyncApp app, TestDb postgres, SyncConfig config) {
    this.app = app;
    this.postgres = postgres;
    this.config = config;
    this.api = new ApiClient(app.port(), ADMIN_TOKEN);
  }

  /** Starts against the IIS at {@code iisBaseUrl}, giving up on a delivery after 3 attempts. */
  static RunningSync start(Path dir, URI iisBaseUrl) {
    return start(dir, iisBaseUrl, 3);
  }

  /** As {@link #start(Path, URI)}, with {@code server:} keys added, e.g. "requestTimeout: 1s". */
  static RunningSync start(Path dir, URI iisBaseUrl, int maxAttempts, String... serverKeys) {
    String database = "jdbc:h2:mem:http-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    return start(dir, iisBaseUrl, maxAttempts, database, "sa", null, serverKeys);
  }

  /**
   * As {@link #start(Path, URI)}, on a fresh schema of the test PostgreSQL (skipped, or failed
   * with {@code HMS_REQUIRE_PG=1}, when there is none); closing drops the schema.
   */
  static RunningSync startOnPostgres(Path dir, URI iisBaseUrl, String... serverKeys) {
    TestDb schema = TestDatabases.emptyPostgres();
    return start(dir, iisBaseUrl, 3, schema.url(), schema.user(), schema, serverKeys);
  }

  private static RunningSync start(
      Path dir,
      URI iisBaseUrl,
      int maxAttempts,
      String databaseUrl,
      String databaseUser,
      TestDb postgres,
      String... serverKeys) {
    SyncConfig config =
        ConfigLoader.load(
            writeConfig(dir, iisBaseUrl, maxAttempts, databaseUrl, databaseUser, serverKeys),
            Map.of());
    try {
      return new RunningSync(started(config), postgres, config);
    } catch (RuntimeException failure) {
      if (postgres != null) {
        postgres.close();
      }
      throw failure;
    }
  }

  private static SyncApp started(SyncConfig config) {
    SyncApp app = SyncApp.create(config, Clock.systemUTC(), DeliveryObserver.NONE);
    try {
      app.startEngine().startServer(ADMIN_TOKEN);
      return app;
    } catch (RuntimeException failure) {
      app.close();
      throw failure;
    }
  }

  /**
   * Stops this service and starts it again on the same database (H2 in memory outlives its
   * service in this JVM); the old instance must not be used afterwards.
   */
  RunningSync restarted() {
    app.close();
    return new RunningSync(started(config), postgres, config);
  }

  /**
   * A second service on the same database (another node), with its own port; close it before
   * this one.
   */
  RunningSync secondNode() {
    return new RunningSync(started(config), null, config);
  }

  private static Path writeConfig(
      Path dir,
      URI iisBaseUrl,
      int maxAttempts,
      String database,
      String user,
      String... serverKeys) {
    String yaml =
        """
        server:
          port: 0
        %s
        database:
          url: "%s"
          user: "%s"
        engine:
          pollInterval: 200ms
          lease: 10s
        connectors:
          - id: %s
            type: rest
            baseUrl: %s
            timeouts:
              connect: 1s
              request: 3s
            maxConcurrency: 8
            rateLimit: 200
            retry:
              maxAttempts: %d
              initialBackoff: 50ms
              maxBackoff: 200ms
            headers:
              X-Facility-Id: county-clinic-12
            routes:
              appointment.created:
                method: POST
                path: /appointments
                mapping: iis-appointment.jsonata
                externalId: /id
              appointment.rescheduled:
                method: PUT
                path: /appointments/{externalId}
                mapping: iis-appointment.jsonata
              appointment.cancelled:
                method: DELETE
                path: /appointments/{externalId}
              appointment.completed:
                method: PUT
                path: /appointments/{externalId}
                mapping: iis-appointment.jsonata
        """
            .formatted(
                serverKeys.length == 0 ? "" : "  " + String.join("\n  ", serverKeys),
                database, user, CONNECTOR, iisBaseUrl, maxAttempts);
    try {
      Files.copy(DEMO_MAPPING, dir.resolve("iis-appointment.jsonata"));
      return Files.writeString(dir.resolve("hms-sync.yaml"), yaml);
    } catch (IOException failure) {
      throw new UncheckedIOException(failure);
    }
  }

  // ---- EMR set-up through the API ----

  String patient() {
    int number = made.incrementAndGet();
    return created(
        api.post(
            "/api/patients",
            ApiClient.json(
                "mrn", "MRN-" + number,
                "givenName", "Given" + number,
                "familyName", "Family" + number,
                "birthDate", "1980-05-17")));
  }

  String location() {
    int number = made.incrementAndGet();
    return created(
        api.post(
            "/api/locations",
            ApiClient.json("code", "CLINIC-" + number, "name", "County clinic " + number)));
  }

  /** A 15-minute slot, each one later than the one before. */
  String slot(String locationId, int capacity) {
    Instant start = FIRST_SLOT.plus(Duration.ofMinutes(15L * made.incrementAndGet()));
    return created(
        api.post(
            "/api/slots",
            ApiClient.json(
                "locationId", locationId,
                "start", start.toString(),
                "end", start.plus(Duration.ofMinutes(15)).toString(),
                "capacity", capacity)));
  }

  String book(String patientId, String slotId) {
    return created(
        api.post("/api/appointments", ApiClient.json("patientId", patientId, "slotId", slotId)));
  }

  private static String created(Reply reply) {
    assertThat(reply.status()).as("answer to a create: %s", reply.text()).isEqualTo(201);
    return reply.field("id");
  }

  // ---- inspection through the API ----

  JsonNode appointment(String id) {
    return ok(api.get("/api/appointments/" + id));
  }

  JsonNode slotView(String id) {
    return ok(api.get("/api/slots/" + id));
  }

  JsonNode delivery(String id) {
    return ok(api.get("/api/deliveries/" + id));
  }

  /** The appointment's deliveries, in event order. */
  List<JsonNode> deliveries(String appointmentId) {
    List<JsonNode> items = new ArrayList<>();
    ok(api.get("/api/deliveries?appointmentId=" + appointmentId)).path("items").forEach(items::add);
    items.sort(Comparator.comparingLong(item -> item.path("sequence").asLong()));
    return items;
  }

  List<String> deliveryStatuses(String appointmentId) {
    return deliveries(appointmentId).stream().map(item -> item.path("status").asText()).toList();
  }

  /** Waits until the appointment's deliveries, in event order, stand at these statuses. */
  void awaitDeliveries(String appointmentId, String... statuses) {
    await()
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(20))
        .untilAsserted(
            () -> assertThat(deliveryStatuses(appointmentId)).containsExactly(statuses));
  }

  /**
   * Every delivery, for before/after comparisons, read once the engine has settled (see {@link
   * #awaitSettled()}), so a delivery still in flight cannot change between the two readings.
   */
  JsonNode allDeliveries() {
    awaitSettled();
    return ok(api.get("/api/deliveries?limit=1000"));
  }

  /**
   * Waits until no delivery is pending or retrying: every delivery has succeeded, died, been
   * parked or discarded, and its attempt is recorded. Before/after readings taken then differ only
   * by what the request in between did.
   */
  void awaitSettled() {
    await()
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(20))
        .untilAsserted(
            () -> {
              assertThat(deliveryCount("pending")).as("pending deliveries").isZero();
              assertThat(deliveryCount("retrying")).as("retrying deliveries").isZero();
            });
  }

  private int deliveryCount(String status) {
    return ok(api.get("/api/deliveries?limit=1000&status=" + status)).path("items").size();
  }

  /** The view of the one configured connector in {@code GET /api/connectors}. */
  JsonNode connector() {
    JsonNode items = ok(api.get("/api/connectors")).path("items");
    assertThat(items).hasSize(1);
    return items.get(0);
  }

  private static JsonNode ok(Reply reply) {
    assertThat(reply.status()).as("answer: %s", reply.text()).isEqualTo(200);
    return reply.json();
  }

  // ---- what is stored, read with plain SQL ----

  /** Row counts of everything a request could create. */
  record Counts(
      long patients,
      long locations,
      long slots,
      long appointments,
      long outboxEvents,
      long deliveries,
      long attempts) {}

  /** The row counts, read once the engine has settled (see {@link #awaitSettled()}). */
  Counts counts() {
    awaitSettled();
    return new Counts(
        count("patient"),
        count("location"),
        count("slot"),
        count("appointment"),
        count("outbox_event"),
        count("delivery"),
        count("delivery_attempt"));
  }

  private long count(String table) {
    try (Connection connection = app.database().dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException failure) {
      throw new IllegalStateException("cannot count " + table, failure);
    }
  }

  @Override
  public void close() {
    app.close();
    if (postgres != null) {
      postgres.close();
    }
  }
}
