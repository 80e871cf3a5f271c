package org.hms.sync.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import org.hms.sync.simulator.IdempotencyStore.Claim;
import org.hms.sync.simulator.IdempotencyStore.Fingerprint;
import org.hms.sync.simulator.IdempotencyStore.Verdict;
import org.junit.jupiter.api.Test;

class IdempotencyStoreTest {

  private static final Fingerprint CREATE = new Fingerprint("POST", "/api/appointments", TextNode.valueOf("a"));
  private static final Fingerprint OTHER = new Fingerprint("POST", "/api/appointments", TextNode.valueOf("b"));

  private final IdempotencyStore store = new IdempotencyStore();

  @Test
  void key_is_in_flight_until_its_first_request_completes() {
    Claim first = store.claim("k", CREATE);

    assertThat(first.verdict()).isEqualTo(Verdict.PROCEED);
    assertThat(store.claim("k", CREATE).verdict()).isEqualTo(Verdict.IN_FLIGHT);

    Outcome created = new Outcome(201, "{}", "iis-1", true, false);
    store.complete(first, created);

    Claim replay = store.claim("k", CREATE);
    assertThat(replay.verdict()).isEqualTo(Verdict.REPLAY);
    assertThat(replay.stored()).isEqualTo(created);
    assertThat(store.claim("k", OTHER).verdict()).isEqualTo(Verdict.MISMATCH);
  }

  @Test
  void server_errors_are_not_kept_so_a_retry_proceeds() {
    Claim first = store.claim("k", CREATE);

    store.complete(first, new Outcome(503, "{}", null, false, false));

    assertThat(store.claim("k", CREATE).verdict()).isEqualTo(Verdict.PROCEED);
  }

  @Test
  void a_claim_released_after_reset_does_not_free_a_newer_claim() {
    Claim stale = store.claim("k", CREATE);
    store.clear();
    store.claim("k", CREATE);

    store.release(stale);

    assertThat(store.claim("k", CREATE).verdict()).isEqualTo(Verdict.IN_FLIGHT);
  }
}
