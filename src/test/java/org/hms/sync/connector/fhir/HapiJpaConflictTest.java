package org.hms.sync.connector.fhir;

import java.net.URI;
import org.hms.sync.testing.JpaFhirServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/**
 * The version conflict scenarios at a real HAPI FHIR 8.8 JPA server (shared by the test JVM):
 * what the stand-in imitates must hold at the server it imitates.
 */
@Tag("hapi-jpa")
class HapiJpaConflictTest extends FhirConflictScenarios {
  private final JpaFhirServer server = JpaFhirServer.shared();

  @BeforeEach
  void watchServer() {
    server.register(activity);
  }

  @AfterEach
  void stopWatching() {
    server.unregister(activity);
  }

  @Override
  URI server() {
    return server.baseUrl();
  }
}
