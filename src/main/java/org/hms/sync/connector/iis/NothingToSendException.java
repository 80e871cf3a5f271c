package org.hms.sync.connector.iis;

import org.hms.sync.SyncException;

/**
 * No VXU is sent for this event: the appointment has no dose to report, or its data cannot make a
 * valid message. The message says which, names no PHI, and says what to do.
 */
public final class NothingToSendException extends SyncException {
  NothingToSendException(String message) {
    super(message);
  }
}
