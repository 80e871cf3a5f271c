package org.hms.sync.connector.iis;

import java.util.ArrayList;
import java.util.List;

/**
 * One ERR segment of a registry's acknowledgment. Absent values are empty strings, never {@code
 * null}.
 *
 * @param location where in our VXU the problem is, from ERR-2 (or the legacy ERR-1): segment, then
 *     field, component and subcomponent, such as {@code RXA-5} or {@code RXA-5.1}; a segment
 *     sequence other than 1 is shown in brackets ({@code OBX[3]-5}); several locations are joined
 *     with {@code ", "}
 * @param code ERR-3, the HL7 error code (table 0357) as {@code identifier^text}, such as {@code
 *     103^Table value not found}
 * @param severity ERR-4
 * @param message ERR-8, the registry's own words for the user
 * @param applicationCode ERR-5, the registry's own error code as {@code identifier^text}, such as
 *     {@code 5^Table value not found}; empty when not given
 */
public record AckIssue(
    String location, String code, Severity severity, String message, String applicationCode) {

  /** ERR-4 (HL7 table 0516). */
  public enum Severity {
    ERROR,
    WARNING,
    INFORMATION,
    /** ERR-4 was empty or held an unknown code, as in legacy (ERR-1 only) errors. */
    UNSPECIFIED;

    /** {@code E}, {@code W}, {@code I}; {@code F} (fatal, HL7 v2.7) counts as an error. */
    static Severity fromCode(String code) {
      return switch (code == null ? "" : code.trim()) {
        case "E", "F" -> ERROR;
        case "W" -> WARNING;
        case "I" -> INFORMATION;
        default -> UNSPECIFIED;
      };
    }
  }

  public AckIssue {
    location = location == null ? "" : location;
    code = code == null ? "" : code;
    severity = severity == null ? Severity.UNSPECIFIED : severity;
    message = message == null ? "" : message;
    applicationCode = applicationCode == null ? "" : applicationCode;
  }

  /** Without an application error code (ERR-5). */
  public AckIssue(String location, String code, Severity severity, String message) {
    this(location, code, severity, message, "");
  }

  /**
   * One line for a dead letter or a log: {@code RXA-5 103^Table value not found (ERROR): Vaccine
   * code not recognized}, with the registry's code in brackets after the HL7 code when given
   * ({@code 103^Table value not found [5^Invalid CVX]}). It holds no PHI of ours: codes, locations
   * and the registry's ERR-8 text.
   */
  public String summary() {
    List<String> parts = new ArrayList<>();
    if (!location.isEmpty()) {
      parts.add(location);
    }
    if (!code.isEmpty()) {
      parts.add(code);
    }
    if (!applicationCode.isEmpty()) {
      parts.add("[" + applicationCode + "]");
    }
    if (severity != Severity.UNSPECIFIED) {
      parts.add("(" + severity + ")");
    }
    String head = String.join(" ", parts);
    if (message.isEmpty()) {
      return head.isEmpty() ? "(no details given)" : head;
    }
    return head.isEmpty() ? message : head + ": " + message;
  }
}
