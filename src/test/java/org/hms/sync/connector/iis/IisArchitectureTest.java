package org.hms.sync.connector.iis;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * HL7 and SOAP stay in the IIS connector (and the stand-in registry of the simulator), and its HL7
 * message classes stay free of the rest of the project, so only the connector's seam classes need
 * the engine's types (STYLE.md).
 */
class IisArchitectureTest {
  /** The classes that join the HL7 messages to the connector seam, config and mapping input. */
  private static final String SEAM =
      "org\\.hms\\.sync\\.connector\\.iis\\."
          + "(IisSoapConnector|VaccinationInput|NothingToSendException)(\\$.*)?";

  private static final JavaClasses PRODUCTION =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("org.hms.sync");

  /**
   * The simulator package (not its subpackages) is the other side of the wire: its stand-in
   * registry reads VXUs and writes ACKs with HAPI and speaks SOAP with SAAJ on its own, without
   * the connector's classes (SimulatorArchitectureTest), so that a test of the connector against
   * it checks the connector against an independent reading of the standard.
   */
  private static final String[] HL7_AND_SOAP_PACKAGES = {
    "org.hms.sync.connector.iis..", "org.hms.sync.simulator"
  };

  @Test
  void only_the_iis_connector_and_the_stand_in_registry_use_hapi_hl7v2() {
    noClasses()
        .that()
        .resideOutsideOfPackages(HL7_AND_SOAP_PACKAGES)
        .should()
        .dependOnClassesThat()
        .resideInAPackage("ca.uhn.hl7v2..")
        .check(PRODUCTION);
  }

  @Test
  void only_the_iis_connector_and_the_stand_in_registry_use_saaj() {
    noClasses()
        .that()
        .resideOutsideOfPackages(HL7_AND_SOAP_PACKAGES)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("jakarta.xml.soap..", "com.sun.xml.messaging..")
        .check(PRODUCTION);
  }

  @Test
  void the_iis_messages_depend_on_no_other_project_package() {
    noClasses()
        .that()
        .resideInAPackage("org.hms.sync.connector.iis..")
        .and()
        .haveNameNotMatching(SEAM)
        .should()
        .dependOnClassesThat(
            resideInAPackage("org.hms.sync..")
                .and(not(resideInAPackage("org.hms.sync.connector.iis.."))))
        .check(PRODUCTION);
  }
}
