package org.hms.sync.connector.iis;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the dose of one appointment out of the mapping input ({@code MappingInput.of}): {@code
 * appointment.patient}, {@code appointment.location} and {@code appointment.immunization}.
 *
 * <p>Every failure is a {@link NothingToSendException} whose message names the missing or bad
 * field, never its value where that value is PHI.
 */
final class VaccinationInput {
  /** An amount and an optional unit as a clinician writes it: {@code 0.3 mL}, {@code 0.5ml}. */
  private static final Pattern DOSE =
      Pattern.compile("\\s*(\\d*\\.?\\d+)\\s*([A-Za-z\\[][^\\s]*)?\\s*");

  /** An MVX code (CDC manufacturer code) is two or three capital letters, e.g. PFR, MOD, SKB. */
  private static final Pattern MVX = Pattern.compile("[A-Z]{2,3}");

  /** RXA-5 of a delete when the event no longer carries the dose: CVX 998, no vaccine given. */
  static final String NO_VACCINE_CVX = "998";

  private VaccinationInput() {}

  /** The appointment's id: the vaccination's stable id (ORC-3) for A, U and D. */
  static String appointmentId(JsonNode input) {
    String id = text(input.path("appointment").path("id"));
    if (id == null) {
      throw new NothingToSendException(
          "the event has no appointment.id; it is not an appointment event of HMS-EMR Sync");
    }
    return id;
  }

  /** Whether the event carries a dose ({@code appointment.immunization.cvxCode}). */
  static boolean hasDose(JsonNode input) {
    return text(input.path("appointment").path("immunization").path("cvxCode")) != null;
  }

  /**
   * The dose as a VXU reports it.
   *
   * @param vaccinationId ORC-3
   * @throws NothingToSendException when the event has no dose or holds data a VXU cannot carry
   */
  static VaccinationRecord dose(JsonNode input, String vaccinationId, ActionCode action) {
    JsonNode appointment = input.path("appointment");
    JsonNode given = appointment.path("immunization");
    if (!hasDose(input)) {
      throw new NothingToSendException(
          "appointment "
              + appointmentId(input)
              + " has no immunization details (appointment.immunization.cvxCode is missing), so"
              + " there is no dose to report to the registry; record the dose given and complete"
              + " the appointment again, or discard this delivery if no vaccine was given");
    }
    Instant administeredAt = instant(given.path("administeredAt"), "immunization.administeredAt");
    if (administeredAt == null) {
      administeredAt = instant(appointment.path("start"), "appointment.start");
    }
    if (administeredAt == null) {
      throw invalid(input, "neither immunization.administeredAt nor appointment.start is set");
    }
    Dose dose = Dose.parse(text(given.path("dose")));
    String manufacturer = text(given.path("manufacturer"));
    boolean mvx = manufacturer != null && MVX.matcher(manufacturer).matches();
    try {
      return new VaccinationRecord(
          vaccinationId,
          patient(input),
          administeredAt,
          text(given.path("cvxCode")),
          null,
          dose.amount(),
          text(given.path("lotNumber")),
          mvx ? manufacturer : null,
          text(given.path("route")),
          text(given.path("site")),
          action,
          dose.units(),
          mvx ? null : manufacturer,
          text(appointment.path("location").path("code")));
    } catch (IllegalArgumentException | NullPointerException refused) {
      // The records' messages name the component, never a patient value.
      throw invalid(input, refused.getMessage());
    }
  }

  /**
   * The delete of a dose reported earlier when the event no longer says which vaccine it was (a
   * cancellation clears the dose): CVX 998 (no vaccine administered), at the appointment's start.
   * The registry finds the record to delete by its ORC-3.
   */
  static VaccinationRecord deleteWithoutDose(JsonNode input, String vaccinationId) {
    Instant start = instant(input.path("appointment").path("start"), "appointment.start");
    if (start == null) {
      throw invalid(input, "appointment.start is not set");
    }
    try {
      return new VaccinationRecord(
          vaccinationId,
          patient(input),
          start,
          NO_VACCINE_CVX,
          "no vaccine administered",
          null,
          null,
          null,
          null,
          null,
          ActionCode.DELETE,
          null,
          null,
          text(input.path("appointment").path("location").path("code")));
    } catch (IllegalArgumentException | NullPointerException refused) {
      throw invalid(input, refused.getMessage());
    }
  }

  /**
   * Whether the dose text was read as a number: when it was not, RXA-6 says "unknown" (999) and
   * the caller notes it.
   */
  static boolean doseUnreadable(JsonNode input) {
    String text = text(input.path("appointment").path("immunization").path("dose"));
    return text != null && !DOSE.matcher(text).matches();
  }

  private static Patient patient(JsonNode input) {
    JsonNode patient = input.path("appointment").path("patient");
    LocalDate birthDate;
    String birth = text(patient.path("birthDate"));
    try {
      birthDate = birth == null ? null : LocalDate.parse(birth);
    } catch (DateTimeException unreadable) {
      // The value is PHI: the message names the field and the expected form only.
      throw invalid(input, "patient birthDate is not an ISO date (yyyy-mm-dd)");
    }
    return new Patient(
        text(patient.path("mrn")),
        text(patient.path("givenName")),
        text(patient.path("familyName")),
        birthDate,
        text(patient.path("sex")));
  }

  private static Instant instant(JsonNode node, String field) {
    String value = text(node);
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeException unreadable) {
      // A date of care is PHI: the message names the field and the expected form only.
      throw new NothingToSendException(
          field + " is not an ISO-8601 instant such as 2027-03-01T09:07:00Z");
    }
  }

  private static NothingToSendException invalid(JsonNode input, String problem) {
    return new NothingToSendException(
        "appointment "
            + text(input.path("appointment").path("id"))
            + " cannot be reported to the registry: "
            + problem
            + "; correct the appointment in the EMR and replay this delivery");
  }

  private static String text(JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return null;
    }
    String value = node.asText();
    return value.isBlank() ? null : value.strip();
  }

  /** RXA-6 and RXA-7 from the dose text; an unreadable text is an unknown amount. */
  private record Dose(String amount, String units) {
    static Dose parse(String text) {
      if (text == null) {
        return new Dose(null, null);
      }
      Matcher matcher = DOSE.matcher(text);
      if (!matcher.matches()) {
        return new Dose(null, null);
      }
      String units = matcher.group(2);
      if (units != null && units.equalsIgnoreCase("ml")) {
        units = "mL"; // the UCUM spelling
      }
      return new Dose(matcher.group(1), units);
    }
  }
}
