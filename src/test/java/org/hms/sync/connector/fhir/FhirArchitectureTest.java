package org.hms.sync.connector.fhir;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** HAPI FHIR and its HTTP client stay in the fhir connector (STYLE.md). */
class FhirArchitectureTest {
  private static final JavaClasses PRODUCTION =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("org.hms.sync");

  @Test
  void only_the_fhir_connector_uses_hapi_fhir_and_apache_httpclient() {
    noClasses()
        .that()
        .resideOutsideOfPackage("org.hms.sync.connector.fhir..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("ca.uhn.fhir..", "org.hl7.fhir..", "org.apache.http..")
        .check(PRODUCTION);
  }
}
