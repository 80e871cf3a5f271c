package org.hms.sync.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.Slice;
import org.junit.jupiter.api.Test;

/**
 * Keeps the core (scheduling, outbox, delivery) plain Java, as STYLE.md asks, and the connector
 * packages layered without cycles.
 */
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

  /**
   * The connector packages form layers: {@code connector.http} (the HTTP client) below {@code
   * connector.auth}, below the seam in {@code connector}, below the type packages ({@code rest},
   * {@code iis}, {@code fhir}, {@code graphql}), below the registry {@code connector.types}.
   */
  @Test
  void the_connector_subpackages_are_free_of_cycles() {
    slices().matching("org.hms.sync.connector.(**)").should().beFreeOfCycles().check(PRODUCTION);
  }

  /** As above, with the seam package {@code org.hms.sync.connector} itself taking part. */
  @Test
  void the_connector_packages_with_their_seam_are_free_of_cycles() {
    slices()
        .matching("org.hms.sync.(**)")
        .that(
            DescribedPredicate.describe(
                "are connector packages",
                (Slice slice) ->
                    slice.getNamePart(1).equals("connector")
                        || slice.getNamePart(1).startsWith("connector.")))
        .should()
        .beFreeOfCycles()
        .check(PRODUCTION);
  }

  /**
   * No package of the product imports, through any path, a package that imports it back: each
   * can be read and changed with only the packages below it in mind.
   */
  @Test
  void all_packages_are_free_of_cycles() {
    slices().matching("org.hms.sync.(**)").should().beFreeOfCycles().check(PRODUCTION);
  }
}
