package org.hms.sync.scheduling;

import java.time.LocalDate;

/** A patient of the EMR. Every field but {@code id} is PHI: never log them. */
public record Patient(String id, String mrn, String givenName, String familyName, LocalDate birthDate) {
  @Override
  public String toString() {
    return "Patient[id=" + id + "]";
  }
}
