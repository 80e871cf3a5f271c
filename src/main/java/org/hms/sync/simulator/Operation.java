package org.hms.sync.simulator;

/** What an {@code /api} request asks for. */
enum Operation {
  CREATE(true),
  LIST(false),
  READ(false),
  UPDATE(true),
  CANCEL(true);

  private final boolean changesState;

  Operation(boolean changesState) {
    this.changesState = changesState;
  }

  /** Only these honour {@code Idempotency-Key}. */
  boolean changesState() {
    return changesState;
  }
}
