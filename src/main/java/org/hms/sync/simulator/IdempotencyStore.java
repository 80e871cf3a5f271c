package org.hms.sync.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Idempotency keys with Stripe's semantics: the first finished answer under a key is kept; the same
 * request again gets that answer replayed, a different request under the key is refused, and a key
 * whose first request is still running is refused too.
 */
final class IdempotencyStore {

  /** What makes two requests "the same": method, path and body (compared as JSON). */
  record Fingerprint(String method, String path, JsonNode body) {}

  enum Verdict {
    /** The key is new: apply the request, then {@link #complete} or {@link #release} the claim. */
    PROCEED,
    REPLAY,
    IN_FLIGHT,
    MISMATCH
  }

  /** The answer to {@link #claim}; {@code stored} is set for {@link Verdict#REPLAY}. */
  static final class Claim {
    private final Verdict verdict;
    private final String key;
    private final Slot slot;
    private final Outcome stored;

    private Claim(Verdict verdict, String key, Slot slot, Outcome stored) {
      this.verdict = verdict;
      this.key = key;
      this.slot = slot;
      this.stored = stored;
    }

    Verdict verdict() {
      return verdict;
    }

    Outcome stored() {
      return stored;
    }
  }

  /** Compared by identity, so a claim only ever finishes its own slot. */
  private static final class Slot {
    private final Fingerprint fingerprint;
    private final Outcome outcome;

    private Slot(Fingerprint fingerprint, Outcome outcome) {
      this.fingerprint = fingerprint;
      this.outcome = outcome;
    }

    private boolean inFlight() {
      return outcome == null;
    }
  }

  private final ConcurrentHashMap<String, Slot> slots;

  IdempotencyStore() {
    this.slots = new ConcurrentHashMap<>();
  }

  Claim claim(String key, Fingerprint fingerprint) {
    Slot mine = new Slot(fingerprint, null);
    Slot existing = slots.putIfAbsent(key, mine);
    if (existing == null) {
      return new Claim(Verdict.PROCEED, key, mine, null);
    }
    if (existing.inFlight()) {
      return new Claim(Verdict.IN_FLIGHT, key, null, null);
    }
    if (!existing.fingerprint.equals(fingerprint)) {
      return new Claim(Verdict.MISMATCH, key, null, null);
    }
    return new Claim(Verdict.REPLAY, key, null, existing.outcome);
  }

  /** Keeps a final answer for replay; a non-final one frees the key so a retry is applied. */
  void complete(Claim claim, Outcome outcome) {
    if (outcome.isFinal()) {
      slots.replace(claim.key, claim.slot, new Slot(claim.slot.fingerprint, outcome));
    } else {
      release(claim);
    }
  }

  void release(Claim claim) {
    slots.remove(claim.key, claim.slot);
  }

  void clear() {
    slots.clear();
  }
}
