package org.hms.sync.simulator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The stand-ins speak their protocols on their own: a connector tested against a stand-in is then
 * tested against an independent reading of the standard, not against its own code.
 */
class SimulatorArchitectureTest {
  private static final JavaClasses PRODUCTION =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("org.hms.sync.simulator");

  @Test
  void the_stand_ins_use_no_connector_class() {
    noClasses()
        .that()
        .resideInAPackage("org.hms.sync.simulator..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.hms.sync.connector..")
        .check(PRODUCTION);
  }

  @Test
  void the_stand_ins_sign_webhooks_without_the_services_verifier() {
    noClasses()
        .that()
        .resideInAPackage("org.hms.sync.simulator..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.hms.sync.inbound..")
        .check(PRODUCTION);
  }
}
