package org.hms.sync.outbox;

import java.util.List;

/** The event types an appointment change produces. */
public final class EventTypes {
  public static final String CREATED = "appointment.created";
  public static final String RESCHEDULED = "appointment.rescheduled";
  public static final String CANCELLED = "appointment.cancelled";
  public static final String COMPLETED = "appointment.completed";
  public static final List<String> ALL = List.of(CREATED, RESCHEDULED, CANCELLED, COMPLETED);

  private EventTypes() {}
}
