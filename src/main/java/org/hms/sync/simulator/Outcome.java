package org.hms.sync.simulator;

/**
 * How the simulator answered one request.
 *
 * @param status HTTP status
 * @param json response body
 * @param externalId the appointment the request was about, or null
 * @param applied whether an appointment changed
 * @param replayed whether the answer came from the idempotency store
 */
record Outcome(int status, String json, String externalId, boolean applied, boolean replayed) {

  static final int UNAVAILABLE = 503;

  Outcome asReplay() {
    return new Outcome(status, json, externalId, false, true);
  }

  /** Answers worth replaying: everything except server-side failures a retry might fix. */
  boolean isFinal() {
    return status < 500;
  }
}
