package org.hms.sync.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The delivery package is the only code that reads or writes the delivery tables ({@code delivery},
 * {@code delivery_state}, {@code delivery_attempt}, {@code external_ref}); other packages go through
 * its classes (the outbox through {@code Enqueue}, reconciliation through {@code SyncRecords},
 * scheduling through {@code ExternalRefs}). Migrations may touch any table, and {@code db.Dialect}
 * holds the one upsert whose SQL differs between H2 and PostgreSQL.
 */
class TableOwnershipTest {
  private static final Path SOURCES = Path.of("src/main/java/org/hms/sync");
  private static final Pattern DELIVERY_TABLE_IN_SQL =
      Pattern.compile(
          "\\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\\s+(delivery|delivery_state|delivery_attempt)\\b"
              + "|\\b(delivery_state|delivery_attempt|external_ref)\\b",
          Pattern.CASE_INSENSITIVE);

  @Test
  void only_the_delivery_package_touches_the_delivery_tables() throws IOException {
    List<String> offenders = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
        String relative = SOURCES.relativize(file).toString().replace('\\', '/');
        if (relative.startsWith("delivery/")
            || relative.startsWith("db/migration/")
            || relative.equals("db/Dialect.java")) {
          continue;
        }
        for (String literal : stringLiterals(Files.readString(file))) {
          if (DELIVERY_TABLE_IN_SQL.matcher(literal).find()) {
            offenders.add(relative + ": " + literal.strip());
          }
        }
      }
    }
    assertThat(offenders).isEmpty();
  }

  @Test
  void the_check_finds_sql_on_the_delivery_tables() {
    assertThat(DELIVERY_TABLE_IN_SQL.matcher("SELECT 1 FROM delivery d WHERE").find()).isTrue();
    assertThat(DELIVERY_TABLE_IN_SQL.matcher("UPDATE delivery_state SET status").find()).isTrue();
    assertThat(DELIVERY_TABLE_IN_SQL.matcher("SELECT external_id FROM external_ref").find())
        .isTrue();
    assertThat(DELIVERY_TABLE_IN_SQL.matcher("delivery '%s' not found").find()).isFalse();
  }

  /** The string literals of a Java source, concatenations not joined (each part on its own). */
  private static List<String> stringLiterals(String source) {
    List<String> literals = new ArrayList<>();
    Matcher matcher = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"").matcher(source);
    while (matcher.find()) {
      literals.add(matcher.group(1));
    }
    return literals;
  }
}
