package org.hms.sync.json;

import org.hms.sync.SyncException;

/**
 * A JSON document that could not be read: malformed, not UTF-8, or past one of {@link Json}'s
 * limits. The message names the place, the field and the limit, never the content.
 */
public final class JsonInputException extends SyncException {
  private final boolean tooLarge;
  private final String problem;

  JsonInputException(String message, boolean tooLarge, Throwable cause) {
    this(message, "", tooLarge, cause);
  }

  /**
   * @param problem what is wrong with the document
   * @param advice what a client of our API should do about it, e.g. "; send the body encoded as
   *     UTF-8" (empty when there is nothing to add)
   */
  JsonInputException(String problem, String advice, boolean tooLarge, Throwable cause) {
    super(problem + advice, cause);
    this.problem = problem;
    this.tooLarge = tooLarge;
  }

  /**
   * What is wrong with the document, without advice to a client of our API: for reasons about an
   * external system's answer.
   */
  public String problem() {
    return problem;
  }

  /** True when the size of the document or of one value is the problem (HTTP 413). */
  public boolean tooLarge() {
    return tooLarge;
  }
}
