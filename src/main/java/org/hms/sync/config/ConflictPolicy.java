package org.hms.sync.config;

import java.util.List;
import java.util.Locale;

/**
 * What an inbound change does when the EMR changed the appointment after the version the change is
 * based on ({@code connectors[].inbound.conflictPolicy}); the wire form is the lower-case name with
 * a dash.
 */
public enum ConflictPolicy {
  /** The EMR's state stands; the external change is not applied. */
  EMR_WINS,
  /** The external change is applied over the EMR's newer state (slot capacity still holds). */
  EXTERNAL_WINS,
  /** Both versions wait in the review queue for a person to choose. The default. */
  REVIEW;

  /** The wire names, in declaration order. */
  public static final List<String> WIRE_NAMES = List.of("emr-wins", "external-wins", "review");

  public String wire() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The policy with this wire name. */
  public static ConflictPolicy fromWire(String text) {
    for (ConflictPolicy policy : values()) {
      if (policy.wire().equals(text)) {
        return policy;
      }
    }
    throw new IllegalArgumentException(
        "unknown conflictPolicy '" + text + "': use emr-wins, external-wins or review");
  }
}
