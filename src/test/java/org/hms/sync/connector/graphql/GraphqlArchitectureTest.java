package org.hms.sync.connector.graphql;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** graphql-java stays in the graphql connector (STYLE.md: protocol libraries in their adapter). */
class GraphqlArchitectureTest {
  private static final JavaClasses PRODUCTION =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("org.hms.sync");

  @Test
  void only_the_graphql_connector_uses_graphql_java() {
    noClasses()
        .that()
        .resideOutsideOfPackage("org.hms.sync.connector.graphql..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("graphql..")
        .check(PRODUCTION);
  }
}
