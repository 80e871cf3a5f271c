package org.hms.sync.testing;

import java.nio.charset.StandardCharsets;
import org.hms.sync.testing.AnswerServer.Answer;

/**
 * Answers of a hostile or broken external system, the same for every connector type and feed.
 * Each carries {@link #PHI_LIKE} where a careless reader would quote it, so that a test can check
 * that no reason repeats what the answer held.
 */
public final class HostileAnswers {
  /** Patient-like text inside the hostile answers; no reason may show it. */
  public static final String PHI_LIKE = "Ada Lovelace";

  private HostileAnswers() {}

  /** JSON nested 10,000 levels deep. */
  public static Answer deep(int status) {
    return Answer.json(status, "[".repeat(10_000) + "]".repeat(10_000));
  }

  /** A JSON object whose {@code id} is a number of 1,000 digits. */
  public static Answer longNumber(int status) {
    return Answer.json(status, "{\"id\": " + "9".repeat(1_000) + ", \"name\": \"" + PHI_LIKE
        + "\"}");
  }

  /** A JSON object whose {@code name} holds a byte sequence that is not UTF-8 (C3 28). */
  public static Answer invalidUtf8(int status) {
    byte[] head = ("{\"name\": \"" + PHI_LIKE + " ").getBytes(StandardCharsets.UTF_8);
    byte[] tail = "\", \"id\": \"ext-1\"}".getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[head.length + 2 + tail.length];
    System.arraycopy(head, 0, body, 0, head.length);
    body[head.length] = (byte) 0xC3;
    body[head.length + 1] = (byte) 0x28;
    System.arraycopy(tail, 0, body, head.length + 2, tail.length);
    return Answer.bytes(status, "application/json", body);
  }

  /** An HTML page, such as a proxy's error page. */
  public static Answer notJson(int status) {
    return Answer.bytes(
        status,
        "text/html",
        ("<html><body>Appointment of " + PHI_LIKE + " not found</body></html>")
            .getBytes(StandardCharsets.UTF_8));
  }

  /** Headers that declare a body of one TiB (none follows). */
  public static Answer declaredHuge(int status) {
    return Answer.declaring(status, "application/json", 1L << 40);
  }

  /** A JSON-looking body that never ends. */
  public static Answer endless(int status) {
    return Answer.endless(status, "application/json", "{\"name\": \"" + PHI_LIKE + "\"}, ");
  }
}
