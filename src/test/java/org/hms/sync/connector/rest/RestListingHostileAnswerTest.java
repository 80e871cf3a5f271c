package org.hms.sync.connector.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hms.sync.testing.HostileAnswers.PHI_LIKE;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.ListRouteConfig;
import org.hms.sync.connector.AppointmentLister.Listing;
import org.hms.sync.connector.AppointmentLister.ListingException;
import org.hms.sync.testing.AnswerServer;
import org.hms.sync.testing.AnswerServer.Answer;
import org.hms.sync.testing.HostileAnswers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code routes.list} makes of hostile or broken pages: the listing fails as a whole with a
 * reason that says what was wrong and repeats nothing of the page; an item it cannot keep is
 * reported by position.
 */
class RestListingHostileAnswerTest {
  private static final Instant FROM = Instant.parse("2027-03-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2027-03-02T00:00:00Z");
  private static final String GET = "GET /api/appointments";

  @TempDir Path dir;

  private final AnswerServer server = AnswerServer.start();
  private RestConnector connector;

  @BeforeEach
  void createConnector() throws IOException {
    Path mapping =
        Files.writeString(
            dir.resolve("list.jsonata"), "{\"externalId\": payload.id, \"status\": \"booked\"}");
    ConnectorConfig base = Connectors.config(URI.create(server.baseUrl() + "/api"));
    ListRouteConfig list =
        new ListRouteConfig(
            "GET", "/appointments?from={from}&to={to}", "/items", null, mapping, 3);
    connector =
        RestConnector.create(
            new ConnectorConfig(
                base.id(), base.type(), base.baseUrl(), Connectors.BEARER, null,
                base.timeouts(), base.retry(), null, null, Map.of(), Map.of(), null, null, list,
                null),
            Connectors.CLOCK);
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private void listingFails(Answer answer, String message) {
    server.answer(answer);
    assertThatThrownBy(() -> connector.list(FROM, TO))
        .isInstanceOf(ListingException.class)
        .hasMessage(message)
        .message()
        .doesNotContain(PHI_LIKE);
  }

  @Test
  void a_page_nested_ten_thousand_levels_deep_fails_the_listing() {
    listingFails(
        HostileAnswers.deep(200),
        GET + " answered with a body that is not JSON (JSON nested more than 64 levels deep; the"
            + " limit is 64)");
  }

  @Test
  void a_page_with_a_thousand_digit_number_fails_the_listing() {
    listingFails(
        HostileAnswers.longNumber(200),
        GET + " answered with a body that is not JSON (a number is longer than 64 characters;"
            + " the limit is 64)");
  }

  @Test
  void a_page_that_is_not_utf8_fails_the_listing() {
    listingFails(
        HostileAnswers.invalidUtf8(200),
        GET + " answered with a body that is not JSON (invalid UTF-8 in field 'name' at byte"
            + " 23)");
  }

  @Test
  void an_html_page_fails_the_listing() {
    listingFails(
        HostileAnswers.notJson(200),
        GET + " answered with a body that is not JSON (malformed JSON at line 1, column 1:"
            + " unexpected character or token)");
  }

  @Test
  void a_page_of_the_wrong_shape_fails_the_listing() {
    listingFails(
        Answer.json(200, "{\"items\": {\"name\": \"" + PHI_LIKE + "\"}}"),
        GET + " answered without an items array at '/items'; set routes.list.items to the JSON"
            + " pointer of the array (\"\" when the body is the array)");
  }

  @Test
  void a_page_that_never_ends_is_cut_off_and_fails_the_listing() {
    listingFails(
        HostileAnswers.endless(200),
        GET + " answered more than 16 MiB in one page (the HTTP 200 answer is larger than 16 MiB;"
            + " reading stopped after 16777216 bytes); page the listing (routes.list.next) or"
            + " reconcile a shorter range");
  }

  @Test
  void a_page_that_declares_a_huge_body_is_not_read_and_fails_the_listing() {
    listingFails(
        HostileAnswers.declaredHuge(200),
        GET + " answered more than 16 MiB in one page (the HTTP 200 answer is larger than 16 MiB"
            + " (its Content-Length is 1099511627776 bytes); it was not read); page the listing"
            + " (routes.list.next) or reconcile a shorter range");
  }

  @Test
  void an_error_that_never_ends_fails_the_listing_by_its_status() {
    listingFails(HostileAnswers.endless(503), GET + " answered HTTP 503");
  }

  @Test
  void items_with_external_ids_that_cannot_be_kept_are_reported_by_position() {
    server.answer(
        Answer.json(
            200,
            "{\"items\": [{\"id\": \"" + "7".repeat(501) + "\"}, {\"id\": \"e\\u00001\"},"
                + " {\"id\": \"e-3\"}]}"));

    Listing listing = connector.list(FROM, TO);

    assertThat(listing.appointments()).hasSize(1);
    assertThat(listing.unreadable())
        .containsExactly(
            "item 0: externalId is 501 characters long; at most 500 are kept",
            "item 1: externalId contains a control character (U+0000)");
  }
}
