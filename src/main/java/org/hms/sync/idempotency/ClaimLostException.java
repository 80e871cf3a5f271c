package org.hms.sync.idempotency;

import org.hms.sync.SyncException;

/**
 * The claim on a key ended before the request could store its answer (it ran longer than the
 * claim holds, and a retry took the key over): the change is rolled back so it happens once.
 */
public final class ClaimLostException extends SyncException {
  ClaimLostException(String message) {
    super(message);
  }
}
