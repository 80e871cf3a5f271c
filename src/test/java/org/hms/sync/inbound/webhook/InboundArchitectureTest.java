package org.hms.sync.inbound.webhook;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The inbox (org.hms.sync.inbound) is plain Java like the delivery core; JSON and JSONata stay in
 * the webhook receiver, and neither knows the HTTP server (STYLE.md).
 */
class InboundArchitectureTest {
  private static final JavaClasses PRODUCTION =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("org.hms.sync");

  @Test
  void the_inbox_uses_no_json_http_or_mapping_library() {
    noClasses()
        .that()
        .resideInAPackage("org.hms.sync.inbound")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "com.fasterxml..", "io.javalin..", "org.eclipse.jetty..", "com.dashjoin..",
            "org.hms.sync.mapping..", "org.hms.sync.http..")
        .check(PRODUCTION);
  }

  @Test
  void the_webhook_receiver_knows_no_http_server() {
    noClasses()
        .that()
        .resideInAPackage("org.hms.sync.inbound..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.javalin..", "org.eclipse.jetty..", "org.hms.sync.http..",
            "org.hms.sync.app..")
        .check(PRODUCTION);
  }
}
