package org.hms.sync.connector.iis;

import java.time.LocalDate;
import java.util.Objects;

/**
 * The patient of a {@link VaccinationRecord}, as written to PID. Every component is PHI: {@link
 * #toString()} shows none of them, so a logged record leaks nothing.
 *
 * @param mrn the EMR's medical record number (PID-3.1)
 * @param givenName PID-5.2
 * @param familyName PID-5.1
 * @param birthDate PID-7
 * @param sex an HL7 table 0001 code such as {@code F}, {@code M} or {@code U} (PID-8), or {@code
 *     null} when the EMR does not know it; PID-8 is then left empty
 */
public record Patient(
    String mrn, String givenName, String familyName, LocalDate birthDate, String sex) {

  public Patient {
    requireText(mrn, "mrn");
    requireText(givenName, "givenName");
    requireText(familyName, "familyName");
    Objects.requireNonNull(birthDate, "patient birthDate must not be null");
    if (sex != null && sex.isBlank()) {
      sex = null;
    }
  }

  /** The same patient without a known sex. */
  public Patient(String mrn, String givenName, String familyName, LocalDate birthDate) {
    this(mrn, givenName, familyName, birthDate, null);
  }

  /** Names no value: patient data must never reach a log line or an error message. */
  @Override
  public String toString() {
    return "Patient[PHI redacted]";
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      // The message names the component only; the value would be PHI.
      throw new IllegalArgumentException("patient " + name + " must not be empty");
    }
  }
}
