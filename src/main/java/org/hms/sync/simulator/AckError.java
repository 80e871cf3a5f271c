package org.hms.sync.simulator;

/**
 * One error the stand-in registry reports in an ERR segment of an AE acknowledgment.
 *
 * @param segment ERR-2.1, e.g. {@code RXA}
 * @param sequence ERR-2.2, which occurrence of the segment, from 1
 * @param field ERR-2.3, e.g. {@code 21} for RXA-21
 * @param code ERR-3.1, from HL7 table 0357 (e.g. {@code 101})
 * @param codeText ERR-3.2, the table's text for the code (e.g. {@code Required field missing})
 * @param message ERR-8, what is wrong and what to do, in words for the sender's staff; never
 *     patient data
 */
record AckError(
    String segment, int sequence, int field, String code, String codeText, String message) {

  static AckError requiredFieldMissing(String segment, int sequence, int field, String message) {
    return new AckError(segment, sequence, field, "101", "Required field missing", message);
  }

  static AckError tableValueNotFound(String segment, int sequence, int field, String message) {
    return new AckError(segment, sequence, field, "103", "Table value not found", message);
  }

  static AckError unknownKey(String segment, int sequence, int field, String message) {
    return new AckError(segment, sequence, field, "204", "Unknown key identifier", message);
  }
}
