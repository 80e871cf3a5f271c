package org.hms.sync.connector.iis;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One administered dose, as the IIS connector reports it in a VXU^V04. Optional components are
 * {@code null} when the EMR does not know them.
 *
 * @param vaccinationId stable, unique id of this dose in the EMR: ORC-3 (filler order number). The
 *     registry matches updates and deletes to the original by it, so it must never change.
 * @param patient who received the dose (PID)
 * @param administeredAt when it was given (RXA-3 and RXA-4)
 * @param cvxCode the CDC CVX vaccine code (RXA-5.1)
 * @param vaccineName the CVX short description (RXA-5.2), or {@code null}
 * @param doseAmount the amount given, a decimal number such as {@code 0.5} (RXA-6); {@code null}
 *     becomes {@value #UNKNOWN_DOSE}, the CDC guide's "amount unknown"
 * @param lotNumber the vaccine lot (RXA-15), or {@code null}
 * @param mvxCode the CDC MVX manufacturer code (RXA-17), or {@code null}
 * @param routeCode an HL7 table 0162 route such as {@code IM} (RXR-1), or {@code null}; without a
 *     route no RXR segment is sent
 * @param siteCode an HL7 table 0163 site such as {@code LA} (RXR-2), or {@code null}; only sent
 *     together with a route
 * @param action whether the registry should add, update or delete the dose (RXA-21)
 * @param doseUnits the unit of {@code doseAmount}, a UCUM code such as {@code mL} (RXA-7), or
 *     {@code null}; never sent with the unknown amount {@value #UNKNOWN_DOSE}
 * @param manufacturerName the manufacturer's name (RXA-17.2) when no MVX code is known, or {@code
 *     null}
 * @param facilityCode the clinic where the dose was given (RXA-11.4, administered-at location), or
 *     {@code null}
 */
public record VaccinationRecord(
    String vaccinationId,
    Patient patient,
    Instant administeredAt,
    String cvxCode,
    String vaccineName,
    String doseAmount,
    String lotNumber,
    String mvxCode,
    String routeCode,
    String siteCode,
    ActionCode action,
    String doseUnits,
    String manufacturerName,
    String facilityCode) {

  /** RXA-6 when the amount given is not known (CDC IIS implementation guide). */
  public static final String UNKNOWN_DOSE = "999";

  private static final Pattern DECIMAL = Pattern.compile("\\d*\\.?\\d+");

  public VaccinationRecord {
    requireText(vaccinationId, "vaccinationId");
    Objects.requireNonNull(patient, "patient must not be null");
    Objects.requireNonNull(administeredAt, "administeredAt must not be null");
    requireText(cvxCode, "cvxCode");
    Objects.requireNonNull(action, "action must not be null (ADD, UPDATE or DELETE)");
    vaccineName = blankToNull(vaccineName);
    doseAmount = blankToNull(doseAmount);
    if (doseAmount == null) {
      doseAmount = UNKNOWN_DOSE;
    } else if (!DECIMAL.matcher(doseAmount).matches()) {
      throw new IllegalArgumentException(
          "doseAmount must be a decimal number such as 0.5, or null when unknown; was '"
              + doseAmount
              + "'");
    }
    lotNumber = blankToNull(lotNumber);
    mvxCode = blankToNull(mvxCode);
    routeCode = blankToNull(routeCode);
    siteCode = blankToNull(siteCode);
    doseUnits = UNKNOWN_DOSE.equals(doseAmount) ? null : blankToNull(doseUnits);
    manufacturerName = blankToNull(manufacturerName);
    facilityCode = blankToNull(facilityCode);
  }

  /** A dose without units, manufacturer name or facility. */
  public VaccinationRecord(
      String vaccinationId,
      Patient patient,
      Instant administeredAt,
      String cvxCode,
      String vaccineName,
      String doseAmount,
      String lotNumber,
      String mvxCode,
      String routeCode,
      String siteCode,
      ActionCode action) {
    this(
        vaccinationId,
        patient,
        administeredAt,
        cvxCode,
        vaccineName,
        doseAmount,
        lotNumber,
        mvxCode,
        routeCode,
        siteCode,
        action,
        null,
        null,
        null);
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
