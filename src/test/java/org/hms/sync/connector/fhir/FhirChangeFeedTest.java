package org.hms.sync.connector.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hms.sync.connector.fhir.FhirFixtures.config;
import static org.hms.sync.connector.fhir.FhirFixtures.connector;
import static org.hms.sync.connector.fhir.FhirFixtures.push;
import static org.hms.sync.connector.fhir.FhirFixtures.request;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.Appointment;
import org.hms.sync.SyncException;
import org.hms.sync.connector.ChangeFeed.ChangePage;
import org.hms.sync.json.Json;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.junit.jupiter.api.Test;

/**
 * Polling a FHIR server (the portal stand-in, whose clock moves a second per write) for changed
 * Appointments by {@code _lastUpdated}: fresh searches, an overlap of a second, each version once,
 * next links followed.
 */
class FhirChangeFeedTest {

  private final FhirTestServer server = FhirFixtures.server();
  private final FhirConnector connector = connector(config(server.baseUrl(), null));

  @Test
  void an_empty_server_gives_an_empty_page_and_keeps_the_cursor() {
    ChangePage first = fetch(null);
    ChangePage later = fetch("2027-03-01T08:00:00.000+00:00");

    assertThat(first).isEqualTo(new ChangePage(List.of(), null, false));
    assertThat(later).isEqualTo(new ChangePage(List.of(), "2027-03-01T08:00:00.000+00:00", false));
  }

  @Test
  void changes_come_oldest_first_as_fhir_json_and_the_cursor_stands_at_the_last_lastupdated() {
    seed(3);

    ChangePage page = fetch(null);

    assertThat(page.more()).isFalse();
    assertThat(page.items()).hasSize(3);
    assertThat(page.items())
        .extracting(item -> item.path("resourceType").asText())
        .containsOnly("Appointment");
    assertThat(page.items())
        .extracting(item -> item.path("identifier").path(0).path("value").asText())
        .containsExactly("appointment-1", "appointment-2", "appointment-3");
    Instant last =
        FeedCursor.instantOrNull(page.items().get(2).path("meta").path("lastUpdated").asText());
    assertThat(Json.read(page.nextCursor()).path("after").asText()).isEqualTo(last.toString());
    FhirTestServer.Received search = server.received("GET").get(0);
    assertThat(search.uri()).contains("_sort=_lastUpdated").contains("_count=100");
  }

  @Test
  void the_feed_asks_for_fresh_results_on_every_page_so_no_search_cache_hides_a_change() {
    seed(130);

    drain();

    assertThat(server.received("GET")).hasSize(2);
    assertThat(server.received("GET"))
        .extracting(request -> request.header("Cache-Control"))
        .containsOnly("no-cache");
  }

  @Test
  void the_cursor_returns_what_changed_after_it_including_our_own_writes_and_nothing_twice() {
    seed(2);
    ChangePage first = fetch(null);
    String externalId =
        ((org.hms.sync.delivery.PushResult.Success)
                push(connector, request(SampleEvents.event(EventTypes.CREATED, 1), null)))
            .externalId();
    server.appointments.change("1", appointment -> appointment.setComment("moved"));

    ChangePage second = fetch(first.nextCursor());

    assertThat(second.items())
        .extracting(item -> item.path("id").asText() + "/" + item.path("meta").path("versionId").asText())
        .containsExactly(
            FhirExternalId.parse(externalId).logicalId() + "/1", "1/2");
    Instant after = Instant.parse(Json.read(first.nextCursor()).path("after").asText());
    assertThat(server.received("GET").get(1).uri())
        .as("the search reaches a second back, and what it finds again is not passed on twice")
        .contains("_lastUpdated=ge" + after.minusSeconds(1).toString().replace(":", "%3A"));
    assertThat(fetch(second.nextCursor()).items()).isEmpty();
    assertThat(fetch(fetch(second.nextCursor()).nextCursor()).items()).isEmpty();
  }

  @Test
  void each_item_is_named_by_its_id_and_version_for_the_inbox() {
    seed(1);
    server.appointments.change("1", appointment -> appointment.setComment("moved"));

    JsonNode item = fetch(null).items().get(0);

    assertThat(connector.itemId(item)).isEqualTo("Appointment/1/_history/2");
  }

  @Test
  void a_cursor_of_an_earlier_version_is_read_as_changed_after_that_instant() {
    seed(2);
    String second = fetch(null).items().get(1).path("meta").path("lastUpdated").asText();

    ChangePage unchanged = fetch(second);
    seed(1);
    ChangePage later = fetch(second);

    assertThat(unchanged).isEqualTo(new ChangePage(List.of(), second, false));
    assertThat(later.items())
        .extracting(item -> item.path("identifier").path(0).path("value").asText())
        .containsExactly("appointment-3");
  }

  @Test
  void a_long_history_comes_in_pages_and_nothing_is_skipped_or_repeated() {
    seed(130);

    List<JsonNode> all = drain();

    assertThat(all).hasSize(130);
    Set<String> ids = new HashSet<>();
    all.forEach(item -> ids.add(item.path("id").asText()));
    assertThat(ids).hasSize(130);
  }

  @Test
  void appointments_changed_at_the_same_instant_across_a_page_boundary_all_come_once() {
    seed(95);
    server.freezeTime(true);
    seed(10); // 96..105 share one lastUpdated, across the page boundary at 100
    server.freezeTime(false);
    seed(5);

    ChangePage first = fetch(null);

    assertThat(first.more()).isTrue();
    assertThat(first.items()).hasSize(100);
    assertThat(Json.read(first.nextCursor()).path("next").asText()).contains("_getpages");
    List<JsonNode> all = drain();
    assertThat(all).hasSize(110);
    Set<String> ids = new HashSet<>();
    all.forEach(item -> ids.add(item.path("id").asText()));
    assertThat(ids).hasSize(110);
  }

  @Test
  void a_search_of_only_appointments_changed_at_one_instant_is_read_to_its_end_and_then_rests() {
    server.freezeTime(true);
    seed(150); // one lastUpdated for all: only the next links lead through them

    List<JsonNode> all = drain();
    String cursor = lastCursor;
    List<JsonNode> again = drain(cursor);

    assertThat(all).hasSize(150);
    assertThat(all.stream().map(item -> item.path("id").asText()).distinct()).hasSize(150);
    assertThat(again).as("found again by the overlap, but seen").isEmpty();
    assertThat(lastCursor).hasSizeLessThanOrEqualTo(FeedCursor.MAX_LENGTH).isEqualTo(cursor);
  }

  @Test
  void a_server_error_fails_the_fetch_with_a_clear_message() {
    server.failNext(
        "GET", "Appointment", BaseServerResponseException.newInstance(500, "database down"));

    assertThatThrownBy(() -> connector.fetchChanges(null).get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(SyncException.class)
        .hasMessageContaining("connector 'county-portal' cannot fetch changes: HTTP 500")
        .hasMessageContaining("database down");
  }

  private String lastCursor;

  private List<JsonNode> drain() {
    return drain(null);
  }

  /** Every page from this cursor on, as the poller reads them in one poll. */
  private List<JsonNode> drain(String from) {
    List<JsonNode> all = new ArrayList<>();
    String cursor = from;
    for (int pages = 0; pages < 10; pages++) {
      ChangePage page = fetch(cursor);
      all.addAll(page.items());
      cursor = page.nextCursor();
      lastCursor = cursor;
      if (!page.more()) {
        return all;
      }
    }
    throw new AssertionError("the feed did not end within 10 pages");
  }

  private void seed(int count) {
    int start = server.appointments.all().size();
    for (int index = start + 1; index <= start + count; index++) {
      Appointment appointment = new Appointment();
      appointment.addIdentifier().setSystem("urn:hms-sync:appointment").setValue("appointment-" + index);
      appointment.setStatus(Appointment.AppointmentStatus.BOOKED);
      server.appointments.seed(appointment);
    }
  }

  private ChangePage fetch(String cursor) {
    try {
      return connector.fetchChanges(cursor).get(20, TimeUnit.SECONDS);
    } catch (Exception failure) {
      throw new AssertionError("fetchChanges did not complete normally: " + failure, failure);
    }
  }
}
