package org.hms.sync.connector.fhir;

import java.net.URI;
import java.time.Clock;
import org.hms.sync.simulator.fhir.FhirPortal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The version conflict scenarios at the project's portal stand-in, which answers a stale If-Match
 * the way the HAPI FHIR JPA server does (409, {@code HAPI-0989}): fast, a fresh server each.
 */
class FhirConflictStandInTest extends FhirConflictScenarios {
  private FhirPortal portal;

  @BeforeEach
  void startPortal() {
    portal = FhirPortal.start(0, Clock.systemUTC(), activity);
  }

  @AfterEach
  void stopPortal() {
    if (portal != null) {
      portal.close();
    }
  }

  @Override
  URI server() {
    return portal.baseUrl();
  }
}
