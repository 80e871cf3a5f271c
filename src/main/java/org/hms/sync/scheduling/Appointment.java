package org.hms.sync.scheduling;

import java.time.Instant;

/** An appointment as stored; {@code start}, {@code end} and {@code locationId} come from its slot. */
public record Appointment(
    String id,
    String patientId,
    String slotId,
    String locationId,
    Instant start,
    Instant end,
    AppointmentStatus status,
    long version,
    Instant updatedAt,
    String cancelReason,
    Immunization immunization) {}
