package org.hms.sync.connector.auth;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** JOSE/JWT signing stays in the auth package (STYLE.md: libraries stay in their adapter). */
class AuthArchitectureTest {
  private static final JavaClasses PRODUCTION =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("org.hms.sync");

  @Test
  void only_the_auth_package_uses_nimbus_jose_jwt() {
    noClasses()
        .that()
        .resideOutsideOfPackage("org.hms.sync.connector.auth..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("com.nimbusds..")
        .check(PRODUCTION);
  }
}
