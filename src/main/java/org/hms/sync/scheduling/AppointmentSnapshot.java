package org.hms.sync.scheduling;

/** An appointment with its patient and location, as it was right after a change. */
public record AppointmentSnapshot(Appointment appointment, Patient patient, Location location) {}
