package org.hms.sync.connector.iis;

import java.util.List;
import java.util.Objects;

/**
 * What a registry's acknowledgment of one VXU says, as judged by {@link AckReader}: accepted,
 * rejected for good, refused for now, or not readable at all.
 */
public sealed interface AckResult {
  // The text component of Accepted, Rejected and Refused is MSA-3 (text message), empty when
  // absent: deprecated since v2.4 but still the only explanation some registries give.

  /**
   * MSA-1 {@code AA} or {@code CA}: the registry took the message. ERR segments, if any, are kept
   * as warnings (registries report dropped optional fields this way).
   */
  record Accepted(List<AckIssue> warnings, String text) implements AckResult {
    public Accepted {
      warnings = List.copyOf(warnings);
      text = text == null ? "" : text;
    }

    /** Without MSA-3 text. */
    public Accepted(List<AckIssue> warnings) {
      this(warnings, "");
    }
  }

  /**
   * MSA-1 {@code AE} or {@code CE}: the registry found errors in the message. Sending it again
   * changes nothing: it is permanent, a dead letter to correct and replay.
   */
  record Rejected(List<AckIssue> errors, String text) implements AckResult {
    public Rejected {
      errors = List.copyOf(errors);
      text = text == null ? "" : text;
    }

    /** Without MSA-3 text. */
    public Rejected(List<AckIssue> errors) {
      this(errors, "");
    }
  }

  /**
   * MSA-1 {@code AR} or {@code CR}: the registry could not process the message now (down, busy,
   * or refusing the sender); retryable.
   */
  record Refused(List<AckIssue> errors, String text) implements AckResult {
    public Refused {
      errors = List.copyOf(errors);
      text = text == null ? "" : text;
    }

    /** Without MSA-3 text. */
    public Refused(List<AckIssue> errors) {
      this(errors, "");
    }
  }

  /**
   * No usable acknowledgment: empty, not HL7 v2, without a known MSA-1, or acknowledging another
   * message (MSA-2 is not our control id). Whether the registry took the message is unknown: the
   * connector sends it again a limited number of times ({@code iis.unreadableAckRetries}), then
   * leaves it to a person. The reason names no PHI.
   */
  record Unreadable(String reason) implements AckResult {
    public Unreadable {
      Objects.requireNonNull(reason, "reason must not be null");
    }
  }
}
