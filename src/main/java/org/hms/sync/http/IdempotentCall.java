package org.hms.sync.http;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Function;
import org.hms.sync.Failures;
import org.hms.sync.db.CommitHook;
import org.hms.sync.idempotency.Claim;
import org.hms.sync.idempotency.IdempotencyKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writing {@code /api} request and its {@code Idempotency-Key}, if it sent one (as in the IETF
 * httpapi draft and Stripe's API): the first request with a key runs and its answer is stored with
 * its change; the same key with the same request (method, path, body) gets that answer again, with
 * {@code Idempotent-Replayed: true}; with a different request {@code 422}; while the first still
 * runs {@code 409}. A request that fails changes nothing and frees its key.
 */
final class IdempotentCall {
  static final String HEADER = "Idempotency-Key";
  static final String REPLAYED = "Idempotent-Replayed";
  static final int MAX_KEY_LENGTH = 255;

  private static final Logger log = LoggerFactory.getLogger(IdempotentCall.class);

  /** Who sent the key; keys of different callers never meet. One admin token for now. */
  private static final String PRINCIPAL = "admin";

  private final IdempotencyKeys keys;
  private final String key;
  private final String token;
  private volatile Answer answer;
  private volatile boolean stored;

  private IdempotentCall(IdempotencyKeys keys, String key, String token) {
    this.keys = keys;
    this.key = key;
    this.token = token;
  }

  /**
   * The call for this request; {@code null} when the request is answered already (a replay was
   * sent). Throws the {@link Problem} for a bad, reused or busy key.
   */
  static IdempotentCall begin(Context ctx, IdempotencyKeys keys) {
    String key = ctx.header(HEADER);
    if (key == null) {
      return new IdempotentCall(keys, null, null);
    }
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH
        || !key.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
      throw Problem.badRequest(
          HEADER + " must be 1 to " + MAX_KEY_LENGTH + " printable ASCII characters; send a new"
              + " random value (e.g. a UUID) per operation and the same one on its retries");
    }
    Claim claim = keys.claim(PRINCIPAL, key, requestHash(ctx));
    if (claim instanceof Claim.Claimed claimed) {
      return new IdempotentCall(keys, key, claimed.token());
    }
    if (claim instanceof Claim.Replay replay) {
      log.info("answered a retry of {} {} from its stored answer", ctx.method(), ctx.matchedPath());
      ctx.header(REPLAYED, "true");
      Answer.of(replay.answer()).send(ctx);
      return null;
    }
    if (claim instanceof Claim.Mismatch) {
      throw new Problem(
          422, "Unprocessable Content",
          "this " + HEADER + " was used for a different request (method, path or body); send a"
              + " new key for a new operation, the same key only to retry the same request");
    }
    ctx.header("Retry-After", "1");
    throw Problem.conflict(
        "a request with this " + HEADER + " is still being processed; retry it in a moment with"
            + " the same key to get its answer");
  }

  /**
   * Work for the change's transaction: makes the answer from the result and, for a keyed request,
   * stores it there, so that the change and its answer commit together.
   */
  <T> CommitHook<T> answer(Function<T, Answer> render) {
    return (connection, result) -> {
      Answer made = render.apply(result);
      if (token != null) {
        keys.complete(connection, PRINCIPAL, key, token, made.stored());
      }
      answer = made;
      stored = token != null;
    };
  }

  /** The answer of work that has no single transaction to join; stored on {@link #finish}. */
  void answer(Answer made) {
    answer = made;
  }

  /** Stores the answer (if not stored with the change) and sends it. */
  void finish(Context ctx) {
    if (answer == null) {
      throw new IllegalStateException("the handler of " + ctx.matchedPath() + " made no answer");
    }
    if (token != null && !stored) {
      keys.complete(PRINCIPAL, key, token, answer.stored());
    }
    answer.send(ctx);
  }

  /** The request failed: frees its key so a retry runs it again (unless its answer is stored). */
  void abandon() {
    if (token == null) {
      return;
    }
    try {
      keys.release(PRINCIPAL, key, token);
    } catch (RuntimeException failure) {
      log.warn(
          "could not free an Idempotency-Key after a failed request ({}); it frees itself in {} s",
          Failures.describe(failure), IdempotencyKeys.CLAIM_HOLD.toSeconds());
    }
  }

  /** SHA-256 of method, path with query, and body: what makes two requests "the same". */
  private static String requestHash(Context ctx) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(ctx.method().name().getBytes(StandardCharsets.US_ASCII));
      digest.update((byte) ' ');
      digest.update(ctx.path().getBytes(StandardCharsets.UTF_8));
      if (ctx.queryString() != null) {
        digest.update((byte) '?');
        digest.update(ctx.queryString().getBytes(StandardCharsets.UTF_8));
      }
      digest.update((byte) '\n');
      digest.update(RequestBody.bytes(ctx));
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("SHA-256 is part of every JDK", impossible);
    }
  }
}
