package org.hms.sync.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterpolationTest {
  @TempDir Path dir;
  ConfigFixture fixture;

  @BeforeEach
  void setUp() {
    fixture = new ConfigFixture(dir);
  }

  @Test
  void a_variable_that_is_set_is_substituted() {
    fixture.env.put("NODE", "node-7");

    assertThat(fixture.load("engine:\n  nodeId: ${NODE}\n").engine().nodeId()).isEqualTo("node-7");
  }

  @Test
  void the_default_is_used_when_the_variable_is_unset() {
    assertThat(fixture.load("engine:\n  nodeId: ${NODE:node-a}\n").engine().nodeId())
        .isEqualTo("node-a");
  }

  @Test
  void an_empty_default_gives_an_empty_value() {
    assertThat(fixture.load("database:\n  password: ${DB_PASSWORD:}\n").database().password())
        .isEmpty();
  }

  @Test
  void a_variable_set_to_empty_is_used_rather_than_the_default() {
    fixture.env.put("DB_USER", "");

    assertThat(fixture.load("database:\n  user: ${DB_USER:sa}\n").database().user()).isEmpty();
  }

  @Test
  void the_default_may_contain_colons() {
    assertThat(fixture.load("database:\n  url: ${DB:jdbc:h2:mem:x}\n").database().url())
        .isEqualTo("jdbc:h2:mem:x");
  }

  @Test
  void an_unset_variable_without_default_is_reported_with_its_name_and_path() {
    String yaml = ConfigFixture.withConnector("auth:\n  type: bearer\n  token: ${IIS_TOKEN}\n");

    assertThat(fixture.problems(yaml))
        .containsExactly(
            "connectors[0].auth.token: environment variable IIS_TOKEN is not set (referenced at"
                + " connectors[0].auth.token); set it or write ${IIS_TOKEN:default}");
  }

  @Test
  void several_references_in_one_value_are_all_substituted() {
    fixture.env.put("DB_HOST", "db1");
    fixture.env.put("DB_NAME", "hms");

    String url =
        fixture
            .load("database:\n  url: jdbc:postgresql://${DB_HOST}:${DB_PORT:5432}/${DB_NAME}\n")
            .database()
            .url();

    assertThat(url).isEqualTo("jdbc:postgresql://db1:5432/hms");
  }

  @Test
  void every_unset_variable_is_reported() {
    assertThat(fixture.problems("database:\n  url: jdbc:${A}:${B}\n  user: ${C}\n"))
        .extracting(problem -> problem.substring(0, problem.indexOf(" is not set")))
        .containsExactly(
            "database.url: environment variable A",
            "database.url: environment variable B",
            "database.user: environment variable C");
  }

  @Test
  void double_dollar_brace_is_a_literal_dollar_brace() {
    fixture.env.put("HEADER", "substituted");
    SyncConfig config =
        fixture.load(
            ConfigFixture.withConnector(
                "headers:\n  X-Template: \"$${HEADER} and ${HEADER} and $${NOT_SET}\"\n"));

    assertThat(config.connectors().get(0).headers())
        .containsEntry("X-Template", "${HEADER} and substituted and ${NOT_SET}");
  }

  @Test
  void a_lone_dollar_is_kept() {
    assertThat(fixture.load("database:\n  password: pa$$word$\n").database().password())
        .isEqualTo("pa$$word$");
  }

  @Test
  void numbers_and_durations_can_come_from_the_environment() {
    fixture.env.put("LEASE", "2m");
    SyncConfig config =
        fixture.load(
            """
            server:
              port: ${PORT:8081}
            engine:
              maxInFlight: ${MAX_IN_FLIGHT:16}
              lease: ${LEASE}
            """);

    assertThat(config.server().port()).isEqualTo(8081);
    assertThat(config.engine().maxInFlight()).isEqualTo(16);
    assertThat(config.engine().lease()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void a_substituted_number_is_still_validated() {
    fixture.env.put("PORT", "eighty");

    assertThat(fixture.problems("server:\n  port: ${PORT}\n"))
        .containsExactly("server.port: 'eighty' is not a number; write a whole number, e.g. 8080");
  }

  @Test
  void an_unclosed_reference_is_reported() {
    assertThat(fixture.problems("engine:\n  nodeId: ${NODE\n"))
        .containsExactly(
            "engine.nodeId: '${' is not closed; close it with '}', e.g. ${NAME} or"
                + " ${NAME:default}, or write $${ for a literal ${");
  }

  @Test
  void an_invalid_variable_name_is_reported() {
    assertThat(fixture.problems("engine:\n  nodeId: ${1NODE}\n"))
        .singleElement()
        .asString()
        .startsWith("engine.nodeId: '${1NODE}' is not a valid environment variable reference;");
  }

  @Test
  void an_empty_node_id_means_generate_one() {
    assertThat(fixture.load("engine:\n  nodeId: ${HOSTNAME_FOR_TEST:}\n").engine().nodeId())
        .isNull();
  }
}
