package org.hms.sync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  static final String FULL_EXAMPLE =
      """
      server:
        port: 8080
        adminToken: ${HMS_ADMIN_TOKEN}
      database:
        url: jdbc:h2:file:./data/hms-sync
        user: sa
        password: ${DB_PASSWORD:}
        maxPoolSize: 10
      engine:            # optional section
        maxInFlight: 64
        batchSize: 128
        pollInterval: 1s
        lease: 30s
        nodeId: node-a
        shutdownGrace: 20s
      connectors:
        - id: state-iis
          type: rest
          baseUrl: http://127.0.0.1:9000/api
          auth:
            type: bearer          # none | bearer (token) | basic (username, password)
            token: ${IIS_TOKEN}
          timeouts:
            connect: 1s
            request: 3s
          retry:
            maxAttempts: 5
            initialBackoff: 100ms
            maxBackoff: 1s
            multiplier: 2
          headers:
            X-Facility: county-12
          routes:
            appointment.created:
              method: POST
              path: /appointments
              mapping: iis.jsonata      # path relative to the config file's folder
              externalId: /id           # JSON pointer into the create response
            appointment.rescheduled:
              method: PUT
              path: /appointments/{externalId}
              mapping: iis.jsonata
            appointment.cancelled:
              method: DELETE
              path: /appointments/{externalId}
      """;

  @TempDir Path dir;
  ConfigFixture fixture;

  @BeforeEach
  void setUp() {
    fixture = new ConfigFixture(dir);
  }

  @Test
  void full_example_loads_with_its_values() {
    Path mapping = fixture.file("iis.jsonata", "{}");
    fixture.env.put("HMS_ADMIN_TOKEN", "admin-secret");
    fixture.env.put("IIS_TOKEN", "iis-secret");

    SyncConfig config = fixture.load(FULL_EXAMPLE);

    assertThat(config.file()).isEqualTo(dir.resolve(ConfigFixture.CONFIG_NAME).toAbsolutePath());
    assertThat(config.server()).isEqualTo(ServerConfig.of(8080, "admin-secret"));
    assertThat(config.database())
        .isEqualTo(new DatabaseConfig("jdbc:h2:file:./data/hms-sync", "sa", "", 10));
    assertThat(config.engine())
        .isEqualTo(
            new EngineConfig(64, 128, Duration.ofSeconds(1), Duration.ofSeconds(30), "node-a",
                Duration.ofDays(30), Duration.ofSeconds(20)));
    assertThat(config.connectors()).hasSize(1);

    ConnectorConfig iis = config.connector("state-iis").orElseThrow();
    assertThat(iis.id()).isEqualTo("state-iis");
    assertThat(iis.type()).isEqualTo("rest");
    assertThat(iis.baseUrl()).isEqualTo(URI.create("http://127.0.0.1:9000/api"));
    assertThat(iis.auth()).isEqualTo(new AuthConfig("bearer", "iis-secret", null, null));
    assertThat(iis.timeouts())
        .isEqualTo(new TimeoutsConfig(Duration.ofSeconds(1), Duration.ofSeconds(3)));
    assertThat(iis.retry())
        .isEqualTo(new RetryConfig(5, Duration.ofMillis(100), Duration.ofSeconds(1), 2.0));
    assertThat(iis.headers()).containsExactly(Map.entry("X-Facility", "county-12"));
    assertThat(iis.routes().keySet())
        .containsExactly("appointment.created", "appointment.rescheduled", "appointment.cancelled");
    Path absoluteMapping = mapping.toAbsolutePath().normalize();
    assertThat(iis.route("appointment.created"))
        .contains(
            new RouteConfig(
                "appointment.created", "POST", "/appointments", absoluteMapping, "/id"));
    assertThat(iis.route("appointment.rescheduled"))
        .contains(
            new RouteConfig(
                "appointment.rescheduled",
                "PUT",
                "/appointments/{externalId}",
                absoluteMapping,
                null));
    assertThat(iis.route("appointment.cancelled"))
        .contains(
            new RouteConfig(
                "appointment.cancelled", "DELETE", "/appointments/{externalId}", null, null));
    assertThat(iis.route("appointment.completed")).isEmpty();
    assertThat(config.connector("nobody")).isEmpty();
  }

  @Test
  void empty_file_loads_with_every_default() {
    SyncConfig config = fixture.load("");

    assertThat(config.server()).isEqualTo(ServerConfig.of(8080, null));
    assertThat(config.database())
        .isEqualTo(new DatabaseConfig("jdbc:h2:file:./data/hms-sync", "", "", 10));
    assertThat(config.engine()).isEqualTo(EngineConfig.defaults());
    assertThat(config.engine())
        .isEqualTo(new EngineConfig(64, 128, Duration.ofSeconds(1), Duration.ofSeconds(30), null,
            Duration.ofDays(30), Duration.ofSeconds(10)));
    assertThat(config.connectors()).isEmpty();
  }

  @Test
  void empty_sections_and_an_empty_connector_list_are_valid() {
    SyncConfig config =
        fixture.load(
            """
            server:
            database:
            engine:
            connectors: []
            """);

    assertThat(config.server().port()).isEqualTo(8080);
    assertThat(config.connectors()).isEmpty();
  }

  @Test
  void a_connector_with_only_required_keys_gets_the_defaults() {
    SyncConfig config = fixture.load(ConfigFixture.withConnector(""));

    ConnectorConfig connector = config.connectors().get(0);
    assertThat(connector.auth()).isEqualTo(AuthConfig.none());
    assertThat(connector.timeouts())
        .isEqualTo(new TimeoutsConfig(Duration.ofSeconds(5), Duration.ofSeconds(10)))
        .isEqualTo(TimeoutsConfig.defaults());
    assertThat(connector.retry())
        .isEqualTo(new RetryConfig(12, Duration.ofSeconds(1), Duration.ofMinutes(10), 2.0))
        .isEqualTo(RetryConfig.defaults());
    assertThat(connector.headers()).isEmpty();
    assertThat(connector.routes()).isEmpty();
  }

  @Test
  void partial_sections_keep_the_defaults_of_the_keys_left_out() {
    SyncConfig config =
        fixture.load(
            """
            engine:
              batchSize: 10
            connectors:
              - id: iis
                type: rest
                baseUrl: https://iis.example.org
                timeouts:
                  request: 2s
                retry:
                  multiplier: 1.5
            """);

    assertThat(config.engine().batchSize()).isEqualTo(10);
    assertThat(config.engine().maxInFlight()).isEqualTo(64);
    ConnectorConfig connector = config.connectors().get(0);
    assertThat(connector.timeouts())
        .isEqualTo(new TimeoutsConfig(Duration.ofSeconds(5), Duration.ofSeconds(2)));
    assertThat(connector.retry().multiplier()).isEqualTo(1.5);
    assertThat(connector.retry().maxAttempts()).isEqualTo(12);
    assertThat(connector.circuitBreaker()).isEqualTo(BreakerConfig.defaults());
  }

  @Test
  void circuit_breaker_settings_are_read_and_the_rest_defaulted() {
    SyncConfig config =
        fixture.load(
            ConfigFixture.withConnector(
                """
                circuitBreaker:
                  failureRatePercent: 25
                  openFor: 2m
                """));

    assertThat(config.connectors().get(0).circuitBreaker())
        .isEqualTo(new BreakerConfig(true, 25, 20, 50, Duration.ofMinutes(2), 3));
  }

  @Test
  void basic_auth_keeps_username_and_password() {
    fixture.env.put("IIS_PASSWORD", "pw");
    SyncConfig config =
        fixture.load(
            ConfigFixture.withConnector(
                """
                auth:
                  type: basic
                  username: alice
                  password: ${IIS_PASSWORD}
                """));

    assertThat(config.connectors().get(0).auth())
        .isEqualTo(new AuthConfig("basic", null, "alice", "pw"));
  }

  @Test
  void admin_token_and_database_url_fall_back_to_the_environment() {
    fixture.env.put("HMS_ADMIN_TOKEN", "from-env");
    fixture.env.put("HMS_DB_URL", "jdbc:postgresql://db:5432/hms");

    SyncConfig config = fixture.load("server:\n  port: 0\n");

    assertThat(config.server()).isEqualTo(ServerConfig.of(0, "from-env"));
    assertThat(config.database().url()).isEqualTo("jdbc:postgresql://db:5432/hms");
  }

  @Test
  void server_limits_are_read_from_the_file() {
    SyncConfig config =
        fixture.load(
            "server:\n  requestTimeout: 5s\n  minRequestDataRate: 0\n"
                + "  idempotencyRetention: 2h\n");

    assertThat(config.server())
        .isEqualTo(
            new ServerConfig(
                8080, null, java.time.Duration.ofSeconds(5), 0, java.time.Duration.ofHours(2)));
  }

  @Test
  void values_in_the_file_win_over_the_environment_fallbacks() {
    fixture.env.put("HMS_ADMIN_TOKEN", "from-env");
    fixture.env.put("HMS_DB_URL", "jdbc:postgresql://db:5432/hms");

    SyncConfig config =
        fixture.load(
            """
            server:
              adminToken: from-file
            database:
              url: jdbc:h2:mem:test
            """);

    assertThat(config.server().adminToken()).isEqualTo("from-file");
    assertThat(config.database().url()).isEqualTo("jdbc:h2:mem:test");
  }

  @Test
  void mapping_is_resolved_from_the_config_folder_to_an_absolute_normalized_path() {
    Path mapping = fixture.file("mappings/iis.jsonata", "{}");
    Path configFile =
        fixture.file(
            "conf/hms-sync.yml",
            ConfigFixture.withConnector(
                """
                routes:
                  appointment.created:
                    method: POST
                    path: /appointments
                    mapping: ./../mappings/iis.jsonata
                """));

    SyncConfig config = ConfigLoader.load(configFile, fixture.env);

    Path resolved = config.connectors().get(0).route("appointment.created").orElseThrow().mapping();
    assertThat(resolved).isAbsolute().isEqualTo(mapping.toAbsolutePath().normalize());
  }

  @Test
  void connectors_keep_file_order_and_are_found_by_id() {
    SyncConfig config =
        fixture.load(
            """
            connectors:
              - id: b
                type: rest
                baseUrl: http://b.example
              - id: a
                type: rest
                baseUrl: http://a.example
            """);

    assertThat(config.connectors()).extracting(ConnectorConfig::id).containsExactly("b", "a");
    assertThat(config.connector("a").map(ConnectorConfig::baseUrl))
        .contains(URI.create("http://a.example"));
  }

  @Test
  void loaded_collections_cannot_be_modified() {
    SyncConfig config =
        fixture.load(ConfigFixture.withConnector("headers:\n  X-Facility: county-12\n"));

    ConnectorConfig connector = config.connectors().get(0);
    assertThatThrownBy(() -> config.connectors().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> connector.headers().put("X-Other", "x"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> connector.routes().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void missing_file_is_a_config_exception_naming_the_file() {
    Path missing = dir.resolve("nope.yml");

    assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of()))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.getMessage()).startsWith("invalid configuration " + missing + ":");
              assertThat(e.problems())
                  .containsExactly(
                      "file not found: " + missing + "; check the path or create the file");
            });
  }

  @Test
  void a_folder_instead_of_a_file_is_a_config_exception() {
    assertThatThrownBy(() -> ConfigLoader.load(dir, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("is a folder");
  }

  @Test
  void yaml_syntax_error_reports_file_line_and_column() {
    ConfigException failure =
        fixture.failure(
            """
            server:
              port: 8080
            database:
              url: a: b
            """);

    Path file = dir.resolve(ConfigFixture.CONFIG_NAME);
    assertThat(failure.getMessage()).startsWith("invalid configuration " + file + ":\n  - ");
    assertThat(failure.problems()).hasSize(1);
    assertThat(failure.problems().get(0))
        .startsWith("line 4, column 9: mapping values are not allowed here; fix the YAML syntax");
  }

  @Test
  void duplicate_yaml_key_is_reported_with_its_line() {
    ConfigException failure = fixture.failure("server:\n  port: 1\n  port: 2\n");

    assertThat(failure.problems())
        .singleElement()
        .asString()
        .startsWith("line 3, ")
        .contains("duplicate key 'port'; keep only one of them");
  }

  @Test
  void a_file_that_is_not_a_map_is_reported() {
    assertThat(fixture.problems("- server\n- database\n"))
        .singleElement()
        .asString()
        .startsWith(
            "(top level): expected a map with the keys server, database, engine, reconcile,"
                + " connectors but found a list");
  }

  @Test
  void load_without_env_uses_the_process_environment() {
    Path file = fixture.config("server:\n  port: 9090\n");

    assertThat(ConfigLoader.load(file).server().port()).isEqualTo(9090);
  }

  @Test
  void records_built_in_code_take_defaults_for_left_out_parts() {
    ConnectorConfig connector =
        new ConnectorConfig(
            "x", "rest", URI.create("http://x.example"), null, null, null, null, null);

    assertThat(connector.auth()).isEqualTo(AuthConfig.none());
    assertThat(connector.timeouts()).isEqualTo(TimeoutsConfig.defaults());
    assertThat(connector.retry()).isEqualTo(RetryConfig.defaults());
    assertThat(connector.headers()).isEmpty();
    SyncConfig config =
        new SyncConfig(
            null,
            ServerConfig.of(0, null),
            new DatabaseConfig("jdbc:h2:mem:x", "", "", 1),
            null,
            null);
    assertThat(config.engine()).isEqualTo(EngineConfig.defaults());
    assertThat(config.connectors()).isEqualTo(List.of());
  }
}
