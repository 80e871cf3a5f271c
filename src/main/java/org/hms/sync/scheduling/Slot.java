package org.hms.sync.scheduling;

import java.time.Instant;

/** A bookable period at a location; {@code booked} never exceeds {@code capacity}. */
public record Slot(String id, String locationId, Instant start, Instant end, int capacity, int booked) {}
