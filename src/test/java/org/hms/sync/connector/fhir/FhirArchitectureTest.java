package org.hms.sync.connector.fhir;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * HAPI FHIR and its HTTP client stay in the fhir connector, and HAPI's FHIR server in the FHIR
 * portal stand-in (STYLE.md).
 */
class FhirArchitectureTest {
  private static final JavaClasses PRODUCTION =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("org.hms.sync");

  /**
   * The portal stand-in (simulator.fhir) is the server side of the same protocol: it uses HAPI's
   * RestfulServer and model, but none of the connector's classes (SimulatorArchitectureTest), so
   * the connector is tested against an independent server.
   */
  @Test
  void only_the_fhir_connector_and_the_portal_stand_in_use_hapi_fhir() {
    noClasses()
        .that()
        .resideOutsideOfPackages("org.hms.sync.connector.fhir..", "org.hms.sync.simulator.fhir..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("ca.uhn.fhir..", "org.hl7.fhir..")
        .check(PRODUCTION);
  }

  @Test
  void only_the_fhir_connector_uses_apache_httpclient() {
    noClasses()
        .that()
        .resideOutsideOfPackage("org.hms.sync.connector.fhir..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.http..")
        .check(PRODUCTION);
  }
}
