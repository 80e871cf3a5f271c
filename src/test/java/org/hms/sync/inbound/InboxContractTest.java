package org.hms.sync.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hms.sync.Ids;
import org.hms.sync.testing.TestDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The inbox repository contract, run once per database (see the subclasses). */
abstract class InboxContractTest {
  private static final Instant NOW = Instant.parse("2027-03-01T09:00:00Z");

  TestDb db;
  InboxRepository inbox;

  abstract TestDb open();

  @BeforeEach
  void setUp() {
    db = open();
    inbox = new InboxRepository(db.database().transactor());
  }

  @AfterEach
  void tearDown() {
    if (db != null) { // null when the database was skipped
      db.close();
    }
  }

  private static InboxItem received(String connectorId, String webhookId, Instant at) {
    return InboxItem.received(
        Ids.newId(), connectorId, webhookId, at, "{\"webhook-id\":\"" + webhookId + "\"}",
        "{\"id\":1}", "[{\"action\":\"cancel\",\"externalId\":\"x-1\"}]");
  }

  private static InboxItem inStatus(
      String connectorId, String webhookId, Instant at, InboxStatus status) {
    InboxItem item = received(connectorId, webhookId, at);
    return new InboxItem(
        item.id(), connectorId, webhookId, at, item.headers(), item.payload(), status,
        status == InboxStatus.RECEIVED ? null : "a reason", 1, null, item.changes(), at);
  }

  @Test
  void a_new_webhook_is_stored_as_received_and_due_at_once() {
    InboxItem item = received("portal", "msg_1", NOW);

    assertThat(inbox.insertIfAbsent(item)).isTrue();

    InboxItem stored = inbox.find("portal", "msg_1").orElseThrow();
    assertThat(stored).usingRecursiveComparison().isEqualTo(item);
    assertThat(stored.status()).isEqualTo(InboxStatus.RECEIVED);
    assertThat(stored.nextAttemptAt()).isEqualTo(NOW);
  }

  @Test
  void the_same_webhook_id_again_is_not_stored_twice_and_the_first_row_stays() {
    InboxItem first = received("portal", "msg_1", NOW);
    inbox.insertIfAbsent(first);

    boolean again = inbox.insertIfAbsent(received("portal", "msg_1", NOW.plusSeconds(30)));

    assertThat(again).isFalse();
    assertThat(db.count("SELECT COUNT(*) FROM inbox")).isEqualTo(1);
    assertThat(inbox.find("portal", "msg_1").orElseThrow().id()).isEqualTo(first.id());
  }

  @Test
  void the_same_webhook_id_from_another_connector_is_its_own_item() {
    inbox.insertIfAbsent(received("portal", "msg_1", NOW));

    assertThat(inbox.insertIfAbsent(received("registry", "msg_1", NOW))).isTrue();
    assertThat(db.count("SELECT COUNT(*) FROM inbox")).isEqualTo(2);
  }

  @Test
  void of_concurrent_inserts_of_one_webhook_id_exactly_one_is_new() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int index = 0; index < threads; index++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return inbox.insertIfAbsent(received("portal", "msg_race", NOW));
                }));
      }
      start.countDown();
      int inserted = 0;
      for (Future<Boolean> result : results) {
        if (result.get(30, TimeUnit.SECONDS)) {
          inserted++;
        }
      }

      assertThat(inserted).isEqualTo(1);
      assertThat(db.count("SELECT COUNT(*) FROM inbox WHERE webhook_id = 'msg_race'"))
          .isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void list_filters_by_connector_and_status_newest_first_up_to_the_limit() {
    inbox.insertIfAbsent(received("portal", "msg_1", NOW));
    inbox.insertIfAbsent(received("portal", "msg_2", NOW.plusSeconds(1)));
    inbox.insertIfAbsent(received("portal", "msg_3", NOW.plusSeconds(2)));
    inbox.insertIfAbsent(received("registry", "msg_4", NOW.plusSeconds(3)));
    inbox.insertIfAbsent(inStatus("portal", "msg_5", NOW.plusSeconds(4), InboxStatus.CONFLICT));

    assertThat(inbox.list("portal", InboxStatus.RECEIVED, 10))
        .extracting(InboxItem::webhookId)
        .containsExactly("msg_3", "msg_2", "msg_1");
    assertThat(inbox.list("portal", null, 2))
        .extracting(InboxItem::webhookId)
        .containsExactly("msg_5", "msg_3");
    assertThat(inbox.list(null, null, 10)).hasSize(5);
    assertThat(inbox.list(null, InboxStatus.CONFLICT, 10))
        .singleElement()
        .satisfies(item -> assertThat(item.reason()).isEqualTo("a reason"));
    assertThat(inbox.list("nobody", null, 10)).isEmpty();
  }

  @Test
  void purge_deletes_only_finished_items_older_than_the_retention() {
    Instant old = NOW.minus(Duration.ofDays(8));
    inbox.insertIfAbsent(inStatus("portal", "applied-old", old, InboxStatus.APPLIED));
    inbox.insertIfAbsent(inStatus("portal", "duplicate-old", old, InboxStatus.DUPLICATE));
    inbox.insertIfAbsent(inStatus("portal", "rejected-old", old, InboxStatus.REJECTED));
    inbox.insertIfAbsent(inStatus("portal", "received-old", old, InboxStatus.RECEIVED));
    inbox.insertIfAbsent(inStatus("portal", "failed-old", old, InboxStatus.FAILED));
    inbox.insertIfAbsent(inStatus("portal", "conflict-old", old, InboxStatus.CONFLICT));
    inbox.insertIfAbsent(
        inStatus("portal", "applied-recent", NOW.minus(Duration.ofDays(6)), InboxStatus.APPLIED));

    int purged = inbox.purgeFinished(NOW, InboxRepository.MIN_RETENTION, 100);

    assertThat(purged).isEqualTo(3);
    assertThat(inbox.list(null, null, 100))
        .extracting(InboxItem::webhookId)
        .containsExactlyInAnyOrder("received-old", "failed-old", "conflict-old", "applied-recent");
    assertThat(inbox.purgeFinished(NOW, InboxRepository.MIN_RETENTION, 100)).isZero();
  }

  @Test
  void a_purged_webhook_id_would_be_new_again_so_retention_is_at_least_seven_days() {
    assertThatThrownBy(() -> inbox.purgeFinished(NOW, Duration.ofDays(6), 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keep at least 7 days");
  }
}
