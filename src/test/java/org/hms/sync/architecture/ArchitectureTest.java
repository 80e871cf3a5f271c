package org.hms.sync.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Keeps the core (scheduling, outbox, delivery) plain Java, as STYLE.md asks. */
class ArchitectureTest {
  private static final JavaClasses PRODUCTION =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("org.hms.sync");

  @Test
  void the_core_uses_no_framework_json_http_or_mapping_library() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "org.hms.sync.scheduling..", "org.hms.sync.outbox..", "org.hms.sync.delivery..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "com.fasterxml..",
            "io.javalin..",
            "org.eclipse.jetty..",
            "com.dashjoin..",
            "io.micrometer..",
            "picocli..",
            "com.zaxxer..",
            "org.flywaydb..",
            "ca.uhn..")
        .check(PRODUCTION);
  }

  @Test
  void the_composition_root_is_imported_by_the_launcher_and_the_stand_ins_only() {
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "org.hms.sync.app..",
            "org.hms.sync.launcher..",
            "org.hms.sync.demo..",
            "org.hms.sync.bench..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.hms.sync.app..")
        .check(PRODUCTION);
  }

  @Test
  void the_product_knows_no_stand_in() {
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "org.hms.sync.launcher..",
            "org.hms.sync.demo..",
            "org.hms.sync.bench..",
            "org.hms.sync.simulator..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.hms.sync.demo..", "org.hms.sync.bench..", "org.hms.sync.simulator..")
        .check(PRODUCTION);
  }

  @Test
  void http_and_cli_reach_the_product_through_its_services_not_its_wiring() {
    noClasses()
        .that()
        .resideInAnyPackage("org.hms.sync.http..", "org.hms.sync.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.hms.sync.app..", "org.hms.sync.launcher..")
        .check(PRODUCTION);
  }

  @Test
  void the_delivery_engine_knows_no_concrete_connector() {
    noClasses()
        .that()
        .resideInAnyPackage("org.hms.sync.delivery..", "org.hms.sync.outbox..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.hms.sync.connector..", "org.hms.sync.http..", "org.hms.sync.app..")
        .check(PRODUCTION);
  }

  @Test
  void reconciliation_knows_connectors_only_by_their_seam() {
    noClasses()
        .that()
        .resideInAPackage("org.hms.sync.reconcile..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.hms.sync.connector.rest..",
            "org.hms.sync.connector.fhir..",
            "org.hms.sync.connector.iis..",
            "org.hms.sync.connector.graphql..",
            "org.hms.sync.http..",
            "org.hms.sync.app..",
            "org.hms.sync.cli..")
        .check(PRODUCTION);
  }
}
