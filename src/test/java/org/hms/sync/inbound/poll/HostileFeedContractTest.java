package org.hms.sync.inbound.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hms.sync.testing.HostileAnswers.PHI_LIKE;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.hms.sync.config.ConflictPolicy;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.InboundConfig;
import org.hms.sync.config.PollConfig;
import org.hms.sync.inbound.InboxItem;
import org.hms.sync.inbound.InboxRepository;
import org.hms.sync.inbound.InboxStatus;
import org.hms.sync.testing.AnswerServer;
import org.hms.sync.testing.AnswerServer.Answer;
import org.hms.sync.testing.HostileAnswers;
import org.hms.sync.testing.MutableClock;
import org.hms.sync.testing.TestDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change feed that answers hostile or broken pages: the poll fails with a reason that says what
 * was wrong and repeats nothing of the page, the cursor stays, and nothing is stored; an item that
 * cannot be kept is stored rejected and the feed moves on. Once per database.
 */
abstract class HostileFeedContractTest {
  private static final Instant T0 = Instant.parse("2027-02-01T08:00:00Z");
  private static final String GET = "GET /api/changes";

  @TempDir Path dir;

  private final AnswerServer feed = AnswerServer.start();
  private TestDb db;
  private PollStateRepository states;
  private InboxRepository inbox;
  private Poller poller;

  abstract TestDb open();

  @BeforeEach
  void setUp() throws Exception {
    db = open();
    states = new PollStateRepository(db.database().transactor());
    inbox = new InboxRepository(db.database().transactor());
    Path mapping =
        Files.writeString(
            dir.resolve("poll.jsonata"),
            "{\"action\": \"cancel\", \"externalId\": payload.appointment}");
    PollConfig poll =
        new PollConfig(
            "/changes", Duration.ofSeconds(30), "updatedSince", "/items", null, "/updatedAt",
            "/changeId", mapping, null, 10);
    ConnectorConfig portal =
        new ConnectorConfig(
            "portal", "rest", URI.create(feed.baseUrl() + "/api"), null, null, null, null, null,
            null, null, null, null, new InboundConfig(null, ConflictPolicy.REVIEW, poll), null,
            null);
    poller =
        Poller.create(
            List.of(portal), Map.of(), states, () -> {}, "node-a",
            new Poller.Settings(Duration.ofSeconds(1), Duration.ofSeconds(60)),
            new MutableClock(T0));
  }

  @AfterEach
  void tearDown() {
    feed.close();
    if (db != null) { // null when the database was skipped
      db.close();
    }
  }

  /** Polls once against this answer and checks that it failed with this reason only. */
  private void pollFails(Answer answer, String reason) {
    feed.answer(answer);

    assertThat(poller.runOnce()).isZero();

    PollState state = states.find("portal").orElseThrow();
    assertThat(state.failures()).isEqualTo(1);
    assertThat(state.cursor()).isNull();
    assertThat(state.lastError()).isEqualTo(reason).doesNotContain(PHI_LIKE);
    assertThat(inbox.list("portal", null, 10)).isEmpty();
  }

  private static String page(String items) {
    return "{\"items\": [" + items + "]}";
  }

  @Test
  void a_page_nested_ten_thousand_levels_deep_fails_the_poll() {
    pollFails(
        HostileAnswers.deep(200),
        GET + " answered with a body that is not JSON (JSON nested more than 64 levels deep; the"
            + " limit is 64)");
  }

  @Test
  void a_page_with_a_thousand_digit_number_fails_the_poll() {
    pollFails(
        HostileAnswers.longNumber(200),
        GET + " answered with a body that is not JSON (a number is longer than 64 characters;"
            + " the limit is 64)");
  }

  @Test
  void a_page_that_is_not_utf8_fails_the_poll() {
    pollFails(
        HostileAnswers.invalidUtf8(200),
        GET + " answered with a body that is not JSON (invalid UTF-8 in field 'name' at byte"
            + " 23)");
  }

  @Test
  void an_html_page_fails_the_poll() {
    pollFails(
        HostileAnswers.notJson(200),
        GET + " answered with a body that is not JSON (malformed JSON at line 1, column 1:"
            + " unexpected character or token)");
  }

  @Test
  void a_page_of_the_wrong_shape_fails_the_poll() {
    pollFails(
        Answer.json(200, "{\"items\": {\"name\": \"" + PHI_LIKE + "\"}}"),
        GET + " answered without an items array at '/items'; set inbound.poll.items to the JSON"
            + " pointer of the array (\"\" when the body is the array)");
  }

  @Test
  void a_page_that_never_ends_is_cut_off_and_fails_the_poll() {
    pollFails(
        HostileAnswers.endless(200),
        GET + " answered more than 16 MiB in one page (the HTTP 200 answer is larger than 16 MiB;"
            + " reading stopped after 16777216 bytes); lower the page size at the feed");
  }

  @Test
  void a_page_that_declares_a_huge_body_is_not_read_and_fails_the_poll() {
    pollFails(
        HostileAnswers.declaredHuge(200),
        GET + " answered more than 16 MiB in one page (the HTTP 200 answer is larger than 16 MiB"
            + " (its Content-Length is 1099511627776 bytes); it was not read); lower the page size"
            + " at the feed");
  }

  @Test
  void an_error_that_never_ends_fails_the_poll_by_its_status() {
    pollFails(
        HostileAnswers.endless(503),
        GET + " answered 503; the cursor stays and the poll is tried again later");
  }

  @Test
  void a_cursor_too_long_to_keep_fails_the_poll_and_the_cursor_stays() {
    pollFails(
        Answer.json(
            200,
            page(
                "{\"changeId\": \"c1\", \"appointment\": \"p-1\", \"updatedAt\": \""
                    + "9".repeat(2_001) + "\"}")),
        "the cursor at '/updatedAt' of item 0 on page 1 is 2001 characters long; at most 2000"
            + " are kept, so the cursor stays where it was");
  }

  @Test
  void a_cursor_with_nul_fails_the_poll_and_the_cursor_stays() {
    pollFails(
        Answer.json(
            200,
            page(
                "{\"changeId\": \"c1\", \"appointment\": \"p-1\", \"updatedAt\": \"2027\\u0000\"}")),
        "the cursor at '/updatedAt' of item 0 on page 1 contains a control character (U+0000),"
            + " which cannot be kept, so the cursor stays where it was");
  }

  @Test
  void an_item_too_large_for_the_inbox_is_stored_rejected_without_content_and_the_feed_moves_on() {
    feed.answer(
        Answer.json(
            200,
            page(
                "{\"changeId\": \"c1\", \"appointment\": \"p-1\", \"note\": \""
                    + "x".repeat(1_000_000) + "\", \"updatedAt\": \"2027-02-01T08:00:01Z\"},"
                    + " {\"changeId\": \"c2\", \"appointment\": \"p-2\", \"updatedAt\":"
                    + " \"2027-02-01T08:00:02Z\"}")));

    assertThat(poller.runOnce()).isEqualTo(2);

    assertThat(states.find("portal").orElseThrow().cursor()).isEqualTo("2027-02-01T08:00:02Z");
    InboxItem tooLarge = inbox.list("portal", null, 10).stream()
        .filter(item -> item.webhookId().equals("poll:c1")).findFirst().orElseThrow();
    assertThat(tooLarge.status()).isEqualTo(InboxStatus.REJECTED);
    assertThat(tooLarge.payload()).isEqualTo("{}");
    assertThat(tooLarge.reason())
        .isEqualTo(
            "item_too_large: the item is 1000082 characters of JSON; the inbox keeps items of at"
                + " most 1000000, so it was stored without its content");
  }

  @Test
  void an_item_whose_external_id_holds_nul_is_stored_rejected_and_the_feed_moves_on() {
    feed.answer(
        Answer.json(
            200,
            page(
                "{\"changeId\": \"c1\", \"appointment\": \"p\\u00001\", \"updatedAt\":"
                    + " \"2027-02-01T08:00:01Z\"}")));

    assertThat(poller.runOnce()).isEqualTo(1);

    InboxItem item = inbox.list("portal", null, 10).get(0);
    assertThat(item.status()).isEqualTo(InboxStatus.REJECTED);
    assertThat(item.reason())
        .isEqualTo(
            "invalid_change: the inbound mapping made no valid change: the change has a"
                + " externalId that contains a control character (U+0000)");
    assertThat(states.find("portal").orElseThrow().cursor()).isEqualTo("2027-02-01T08:00:01Z");
  }
}
