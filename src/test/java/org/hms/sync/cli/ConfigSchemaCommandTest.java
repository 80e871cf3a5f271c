package org.hms.sync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.hms.sync.launcher.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code hms-sync config schema}: prints the JSON Schema of hms-sync.yaml. */
class ConfigSchemaCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalOut;
  private PrintStream originalErr;

  @BeforeEach
  void captureOutput() {
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreOutput() {
    System.setOut(originalOut);
    System.setErr(originalErr);
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void config_schema_prints_a_json_schema_and_exits_0() throws IOException {
    int exitCode = Main.run("config", "schema");

    assertThat(exitCode).as("stderr: %s", err.toString(StandardCharsets.UTF_8)).isZero();
    JsonNode schema = new ObjectMapper().readTree(stdout());
    assertThat(schema.path("$schema").asText())
        .isEqualTo("http://json-schema.org/draft-07/schema#");
    assertThat(schema.path("properties").has("connectors")).isTrue();
    SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);
    assertThat(
            registry
                .getSchema(SchemaLocation.of("http://json-schema.org/draft-07/schema#"))
                .validate(stdout(), InputFormat.JSON))
        .as("problems against the draft-07 meta-schema")
        .isEmpty();
  }

  @Test
  void the_printed_schema_checks_a_config() {
    Main.run("config", "schema");
    SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);
    Schema schema = registry.getSchema(stdout(), InputFormat.JSON);

    assertThat(schema.validate("server:\n  port: 8080\n", InputFormat.YAML)).isEmpty();
    assertThat(schema.validate("server:\n  prot: 8080\n", InputFormat.YAML)).isNotEmpty();
  }

  @Test
  void config_without_a_subcommand_shows_its_usage() {
    int exitCode = Main.run("config");

    assertThat(exitCode).isZero();
    assertThat(stdout()).contains("schema");
  }
}
