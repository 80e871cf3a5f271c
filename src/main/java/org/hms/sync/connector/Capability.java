package org.hms.sync.connector;

import java.util.EnumSet;
import java.util.Set;
import org.hms.sync.delivery.Connector;

/** What a connector can do beyond push, read off the interfaces it implements. */
public enum Capability {
  PUSH,
  LIST,
  FETCH_CHANGES,
  HEALTH_CHECK,
  PREVIEW;

  /** The capabilities of this connector; push always. */
  public static Set<Capability> of(Connector connector) {
    Set<Capability> capabilities = EnumSet.of(PUSH);
    if (connector instanceof AppointmentLister lister && lister.canList()) {
      capabilities.add(LIST);
    }
    if (connector instanceof ChangeFeed) {
      capabilities.add(FETCH_CHANGES);
    }
    if (connector instanceof HealthCheck) {
      capabilities.add(HEALTH_CHECK);
    }
    if (connector instanceof Previewable) {
      capabilities.add(PREVIEW);
    }
    return capabilities;
  }

  /** As shown in the API: {@code push}, {@code list}, {@code fetch-changes}, ... */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
