package org.hms.sync.delivery;

import java.time.Instant;
import org.hms.sync.Text;

/** How a connector judged one attempt. The engine turns it into success, a retry or a dead letter. */
public sealed interface PushResult {
  Integer httpStatus();

  /**
   * The external system accepted the change.
   *
   * <p>An external id that cannot be kept (blank, longer than {@link #MAX_EXTERNAL_ID_LENGTH}
   * characters, or holding a control character, a noncharacter or an unpaired surrogate: see
   * {@link Text#problem}) is dropped here, for every connector type: the change was applied, so
   * the attempt still succeeds, and the note says why no id was stored. The id text itself is
   * never put in the note.
   *
   * @param externalId the system's id for the appointment, or {@code null} when it named none
   * @param note what the sync log should say besides success, or {@code null}
   */
  record Success(Integer httpStatus, String externalId, String note) implements PushResult {
    /** Longest external id kept (the width of {@code external_ref.external_id}). */
    public static final int MAX_EXTERNAL_ID_LENGTH = 500;

    public Success {
      String unusable = unusable(externalId);
      if (unusable != null) {
        externalId = null;
        String dropped = "external id not stored: " + unusable;
        note = note == null || note.isBlank() ? dropped : note + "; " + dropped;
      }
    }

    private static String unusable(String externalId) {
      if (externalId == null) {
        return null;
      }
      if (externalId.isBlank()) {
        return "it is blank";
      }
      if (externalId.length() > MAX_EXTERNAL_ID_LENGTH) {
        return "it is " + externalId.length() + " characters long; at most "
            + MAX_EXTERNAL_ID_LENGTH + " are kept";
      }
      String problem = Text.problem(externalId);
      return problem == null ? null : "it " + problem;
    }
  }

  /**
   * A transient failure (network, timeout, 408, 425, 429, 5xx; for the fhir connector also a
   * version conflict it could not settle within one attempt).
   *
   * @param notBefore earliest time for the next attempt (from Retry-After), or null
   */
  record Retryable(Integer httpStatus, String errorClass, String reason, Instant notBefore)
      implements PushResult {

    /**
     * Whether the failure suggests the system is unavailable, which is what a circuit breaker
     * counts: no HTTP status (network error, timeout, no answer, credentials not to be had), an
     * unreadable answer, or 408, 425, 429 or 5xx. Any other 4xx (a version conflict, 409 or 412)
     * came from a system that is up and answering. The 4xx listed are those the connectors' {@code
     * AnswerClass} judges retryable; the engine knows no connector package, so it keeps its own
     * list, and {@code AnswerClassTest} checks that the two agree.
     */
    public boolean outage() {
      if (httpStatus == null || httpStatus < 400 || httpStatus >= 500) {
        return true;
      }
      return httpStatus == 408 || httpStatus == 425 || httpStatus == 429;
    }
  }

  /** A failure that retrying cannot fix (other 4xx, bad mapping): straight to dead letter. */
  record Permanent(Integer httpStatus, String errorClass, String reason) implements PushResult {}
}
