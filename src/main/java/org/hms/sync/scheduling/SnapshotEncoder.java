package org.hms.sync.scheduling;

/** Turns a snapshot into the JSON stored with its outbox event (implemented in the json package). */
@FunctionalInterface
public interface SnapshotEncoder {
  String encode(AppointmentSnapshot snapshot);
}
