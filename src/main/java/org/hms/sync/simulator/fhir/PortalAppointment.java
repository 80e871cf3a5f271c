package org.hms.sync.simulator.fhir;

import java.time.Instant;

/**
 * An Appointment as a {@link FhirPortal} holds it (its current version).
 *
 * @param id the logical id the portal gave it, e.g. {@code 1}
 * @param versionId {@code meta.versionId}: {@code 1} after the create, one more per update
 * @param identifier the value of its identifier of system {@link FhirPortal#OUR_IDENTIFIER_SYSTEM}
 *     (what the fhir connector sets: our appointment id), else of its first identifier; null
 *     without one
 * @param status the FHIR status code: {@code booked}, {@code cancelled}, {@code fulfilled}, ...
 * @param start {@code start}, or null
 * @param end {@code end}, or null
 */
public record PortalAppointment(
    String id, String versionId, String identifier, String status, Instant start, Instant end) {}
