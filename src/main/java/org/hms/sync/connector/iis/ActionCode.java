package org.hms.sync.connector.iis;

/** What the registry should do with the immunization (RXA-21, HL7 table 0323). */
public enum ActionCode {
  ADD("A"),
  UPDATE("U"),
  DELETE("D");

  private final String code;

  ActionCode(String code) {
    this.code = code;
  }

  /** The HL7 code written to RXA-21. */
  public String code() {
    return code;
  }
}
