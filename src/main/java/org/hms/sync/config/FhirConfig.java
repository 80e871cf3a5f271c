package org.hms.sync.config;

import java.util.Objects;

/**
 * The {@code fhir} section of a {@code fhir} connector.
 *
 * @param identifierSystem system of the Appointment identifier that carries our appointment id;
 *     conditional creates search by it. Default {@code urn:hms-sync:appointment}
 * @param references how Patient and Location are named in the Appointment: {@code identifier}
 *     (logical references by identifier, the default) or {@code reference} (literal references
 *     {@code Patient/<mrn>} and {@code Location/<code>}, for servers that hold them under those ids)
 * @param patientIdentifierSystem system of the patient's MRN identifier, default {@code
 *     urn:hms-sync:mrn}
 * @param locationIdentifierSystem system of the location code identifier, default {@code
 *     urn:hms-sync:location}
 * @param onVersionConflict what a 412 on update does: {@code reapply} (re-read the resource and
 *     apply our change on top, the default) or {@code fail} (dead letter, for review)
 * @param slotEvents when true, the Slot resources of the appointment's old and new slot are kept
 *     {@code busy}/{@code free}; default false
 */
public record FhirConfig(
    String identifierSystem,
    String references,
    String patientIdentifierSystem,
    String locationIdentifierSystem,
    String onVersionConflict,
    boolean slotEvents)
    implements ConnectorSettings {

  public FhirConfig {
    identifierSystem = Objects.requireNonNullElse(identifierSystem, "urn:hms-sync:appointment");
    references = Objects.requireNonNullElse(references, "identifier");
    patientIdentifierSystem =
        Objects.requireNonNullElse(patientIdentifierSystem, "urn:hms-sync:mrn");
    locationIdentifierSystem =
        Objects.requireNonNullElse(locationIdentifierSystem, "urn:hms-sync:location");
    onVersionConflict = Objects.requireNonNullElse(onVersionConflict, "reapply");
  }

  /** Every key at its default. */
  public static FhirConfig defaults() {
    return new FhirConfig(null, null, null, null, null, false);
  }
}
