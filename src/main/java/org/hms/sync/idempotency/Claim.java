package org.hms.sync.idempotency;

/** What {@link IdempotencyKeys#claim} found for a key. */
public sealed interface Claim {
  /** The key is this request's now: run it, then complete or release the claim with the token. */
  record Claimed(String token) implements Claim {}

  /** The key's request ran to its end before: send its answer again. */
  record Replay(StoredAnswer answer) implements Claim {}

  /** The key was used for a different request (method, path or body). */
  record Mismatch() implements Claim {}

  /** The key's first request is still running (here or on another node). */
  record InProgress() implements Claim {}
}
