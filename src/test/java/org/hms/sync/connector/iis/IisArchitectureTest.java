package org.hms.sync.connector.iis;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * HL7 and SOAP stay in the IIS connector, and its HL7 message classes stay free of the rest of the
 * project, so only the connector's seam classes need the engine's types (STYLE.md).
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

  @Test
  void only_the_iis_connector_uses_hapi_hl7v2() {
    noClasses()
        .that()
        .resideOutsideOfPackage("org.hms.sync.connector.iis..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("ca.uhn.hl7v2..")
        .check(PRODUCTION);
  }

  @Test
  void only_the_iis_connector_uses_saaj() {
    noClasses()
        .that()
        .resideOutsideOfPackage("org.hms.sync.connector.iis..")
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
