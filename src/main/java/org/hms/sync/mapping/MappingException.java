package org.hms.sync.mapping;

import org.hms.sync.SyncException;

/** A JSONata mapping failed to compile or to evaluate; the message names the file and position. */
public final class MappingException extends SyncException {
  public MappingException(String message, Throwable cause) {
    super(message, cause);
  }
}
