package org.hms.sync.connector.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.ListRouteConfig;
import org.hms.sync.connector.AppointmentLister.Listing;
import org.hms.sync.connector.AppointmentLister.ListingException;
import org.hms.sync.connector.ListedAppointment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code routes.list} against a real local HTTP server. */
class RestListingTest {
  static final Instant FROM = Instant.parse("2027-03-01T00:00:00Z");
  static final Instant TO = Instant.parse("2027-03-02T00:00:00Z");

  @TempDir Path dir;

  Javalin server;
  final Map<String, String> pages = new java.util.concurrent.ConcurrentHashMap<>();
  final List<String> seen = new CopyOnWriteArrayList<>();
  Path mapping;

  @BeforeEach
  void start() throws IOException {
    server =
        Javalin.create(config -> {
          config.showJavalinBanner = false;
          config.startupWatcherEnabled = false;
        });
    server.get("/api/appointments", context -> {
      seen.add(context.queryString() + " auth=" + context.header("Authorization"));
      String page = context.queryParam("page") == null ? "1" : context.queryParam("page");
      String body = pages.get(page);
      if (body == null) {
        context.status(500).result("{}");
        return;
      }
      context.contentType("application/json").result(body);
    });
    server.start("127.0.0.1", 0);
    mapping =
        Files.writeString(
            dir.resolve("list.jsonata"),
            """
            payload.kind = "note" ? null : {
              "externalId": payload.id, "appointmentId": payload.ours, "status": payload.state,
              "start": payload.at, "locationCode": payload.clinic, "patientMrn": payload.mrn }
            """);
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private RestConnector connector(String next) {
    ConnectorConfig base =
        Connectors.config(URI.create("http://127.0.0.1:" + server.port() + "/api"));
    ListRouteConfig list =
        new ListRouteConfig(
            "GET", "/appointments?from={from}&to={to}", "/items", next, mapping, 3);
    return RestConnector.create(
        new ConnectorConfig(
            base.id(), base.type(), base.baseUrl(), Connectors.BEARER, null, base.timeouts(),
            base.retry(), null, null, Map.of(), Map.of(), null, null, list, null),
        Connectors.CLOCK);
  }

  @Test
  void pages_are_followed_and_items_read_with_the_range_and_credentials_sent() {
    pages.put("1", """
        {"items": [
          {"id": "e-1", "ours": "a-1", "state": "booked", "at": "2027-03-01T09:00:00Z",
           "clinic": "CLINIC-A", "mrn": "MRN-1"},
          {"kind": "note"}
        ], "next": "/api/appointments?page=2"}
        """);
    pages.put("2", """
        {"items": [{"id": "e-2", "state": "CANCELLED"}], "next": null}
        """);

    Listing listing = connector("/next").list(FROM, TO);

    assertThat(listing.appointments())
        .containsExactly(
            new ListedAppointment(
                "e-1", "a-1", "booked", Instant.parse("2027-03-01T09:00:00Z"), "CLINIC-A",
                "MRN-1"),
            new ListedAppointment("e-2", null, "cancelled", null, null, null));
    assertThat(listing.unreadable()).isEmpty();
    assertThat(seen.get(0))
        .isEqualTo("from=2027-03-01T00%3A00%3A00Z&to=2027-03-02T00%3A00%3A00Z auth=Bearer "
            + "s3cret-iis-token");
    assertThat(seen).hasSize(2);
  }

  @Test
  void an_unreadable_item_is_reported_by_position_without_its_content() {
    pages.put("1", """
        {"items": [
          {"id": "e-1", "state": "postponed", "mrn": "MRN-SECRET"},
          {"id": "e-2", "state": "booked", "at": "yesterday"},
          {"id": "e-3", "state": "booked"}
        ]}
        """);

    Listing listing = connector(null).list(FROM, TO);

    assertThat(listing.appointments()).extracting(ListedAppointment::externalId)
        .containsExactly("e-3");
    assertThat(listing.unreadable())
        .containsExactly(
            "item 0: status 'postponed' is not booked, cancelled or completed",
            "item 1: start is not an ISO-8601 instant (e.g. 2027-03-01T09:00:00Z)");
    assertThat(String.join(" ", listing.unreadable())).doesNotContain("MRN-SECRET");
  }

  @Test
  void a_listing_that_cannot_be_read_completely_fails_as_a_whole() {
    assertThatThrownBy(() -> connector(null).list(FROM, TO))
        .isInstanceOf(ListingException.class)
        .hasMessageContaining("HTTP 500");

    pages.put("1", "{\"entries\": []}");
    assertThatThrownBy(() -> connector(null).list(FROM, TO))
        .isInstanceOf(ListingException.class)
        .hasMessageContaining("without an items array at '/items'");

    pages.put("1", "{\"items\": [], \"next\": \"https://elsewhere.example/api/appointments\"}");
    assertThatThrownBy(() -> connector("/next").list(FROM, TO))
        .isInstanceOf(ListingException.class)
        .hasMessageContaining("another origin");

    pages.put("1", "{\"items\": [], \"next\": \"/api/appointments\"}");
    assertThatThrownBy(() -> connector("/next").list(FROM, TO))
        .isInstanceOf(ListingException.class)
        .hasMessageContaining("more than 3 pages");
  }

  @Test
  void a_connector_without_a_list_route_cannot_list() {
    RestConnector plain =
        RestConnector.create(
            Connectors.config(URI.create("http://127.0.0.1:" + server.port() + "/api")),
            Connectors.CLOCK);

    assertThat(plain.canList()).isFalse();
    assertThatThrownBy(() -> plain.list(FROM, TO))
        .isInstanceOf(ListingException.class)
        .hasMessageContaining("has no routes.list");
  }
}
