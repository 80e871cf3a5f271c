package org.hms.sync.json;

import org.hms.sync.SyncException;

/**
 * A JSON document that could not be read: malformed, not UTF-8, or past one of {@link Json}'s
 * limits. The message names the place, the field and the limit, never the content.
 */
public final class JsonInputException extends SyncException {
  private final boolean tooLarge;

  JsonInputException(String message, boolean tooLarge, Throwable cause) {
    super(message, cause);
    this.tooLarge = tooLarge;
  }

  /** True when the size of the document or of one value is the problem (HTTP 413). */
  public boolean tooLarge() {
    return tooLarge;
  }
}
