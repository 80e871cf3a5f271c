package org.hms.sync.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {
  static final String ADMIN_SECRET = "admin-s3cret-value";
  static final String DB_SECRET = "db-s3cret-value";
  static final String IIS_SECRET = "iis-s3cret-value";
  static final String API_KEY_SECRET = "apikey-s3cret-value";

  @TempDir Path dir;
  ConfigFixture fixture;

  @BeforeEach
  void setUp() {
    fixture = new ConfigFixture(dir);
    fixture.env.put("HMS_ADMIN_TOKEN", ADMIN_SECRET);
    fixture.env.put("DB_PASSWORD", DB_SECRET);
    fixture.env.put("IIS_TOKEN", IIS_SECRET);
    fixture.env.put("IIS_API_KEY", API_KEY_SECRET);
  }

  @Test
  void auth_to_string_masks_token_and_password() {
    assertThat(new AuthConfig("bearer", IIS_SECRET, null, null))
        .hasToString("AuthConfig[type=bearer, token=***]");
    assertThat(new AuthConfig("basic", null, "alice", DB_SECRET))
        .hasToString("AuthConfig[type=basic, username=alice, password=***]");
    assertThat(AuthConfig.none()).hasToString("AuthConfig[type=none]");
  }

  @Test
  void server_and_database_to_string_mask_their_secrets() {
    assertThat(ServerConfig.of(8080, ADMIN_SECRET))
        .hasToString(
            "ServerConfig[port=8080, adminToken=***, requestTimeout=30s, minRequestDataRate=240,"
                + " idempotencyRetention=1d]");
    assertThat(ServerConfig.of(8080, null))
        .hasToString(
            "ServerConfig[port=8080, adminToken=null, requestTimeout=30s, minRequestDataRate=240,"
                + " idempotencyRetention=1d]");
    assertThat(
            new DatabaseConfig(
                "jdbc:postgresql://db/hms?user=sa&password=" + DB_SECRET, "sa", DB_SECRET, 10))
        .hasToString(
            "DatabaseConfig[url=jdbc:postgresql://db/hms?user=sa&password=***, user=sa,"
                + " password=***, maxPoolSize=10]");
  }

  @Test
  void connector_to_string_masks_auth_secret_headers_and_url_credentials() {
    ConnectorConfig connector =
        new ConnectorConfig(
            "iis",
            "rest",
            URI.create("https://bob:" + DB_SECRET + "@iis.example/api"),
            new AuthConfig("bearer", IIS_SECRET, null, null),
            null,
            null,
            Map.of("X-Api-Key", API_KEY_SECRET, "X-Facility", "county-12"),
            null);

    assertThat(connector.toString())
        .contains("https://***@iis.example/api")
        .contains("X-Facility=county-12")
        .contains("X-Api-Key=***")
        .contains("AuthConfig[type=bearer, token=***]")
        .doesNotContain(DB_SECRET, IIS_SECRET, API_KEY_SECRET);
  }

  @Test
  void loaded_config_to_string_shows_no_secret() {
    fixture.file("iis.jsonata", "{}");
    SyncConfig config =
        fixture.load(
            ConfigLoaderTest.FULL_EXAMPLE
                .replace("password: ${DB_PASSWORD:}", "password: ${DB_PASSWORD}")
                .replace(
                    "X-Facility: county-12",
                    "X-Facility: county-12\n      X-Api-Key: ${IIS_API_KEY}"));

    assertThat(config.connectors().get(0).headers()).containsEntry("X-Api-Key", API_KEY_SECRET);
    assertThat(config.toString())
        .contains("adminToken=***", "password=***", "token=***", "X-Api-Key=***")
        .doesNotContain(ADMIN_SECRET, DB_SECRET, IIS_SECRET, API_KEY_SECRET);
  }

  @Test
  void error_messages_never_show_a_resolved_secret() {
    String yaml =
        """
        server:
          port: ${DB_PASSWORD}
          adminToken: ${HMS_ADMIN_TOKEN}
        database:
          url: ${IIS_API_KEY}
          password: ${DB_PASSWORD}
        engine:
          lease: ${IIS_TOKEN}
        connectors:
          - id: iis
            type: ${IIS_TOKEN}
            baseUrl: ${IIS_API_KEY}
            auth:
              type: bearer
              token: ${IIS_TOKEN}
              username: ${DB_PASSWORD}
            retry:
              maxAttempts: ${IIS_TOKEN}
              multiplier: ${IIS_API_KEY}
            routes:
              appointment.created:
                method: ${IIS_TOKEN}
                path: ${IIS_TOKEN}
        """;

    ConfigException failure = fixture.failure(yaml);

    assertThat(failure.problems()).hasSizeGreaterThanOrEqualTo(10);
    assertThat(failure.getMessage())
        .contains("server.port: '${DB_PASSWORD}' (value hidden) is not a number")
        .contains("engine.lease: bad duration '${IIS_TOKEN}' (value hidden)")
        .doesNotContain(ADMIN_SECRET, DB_SECRET, IIS_SECRET, API_KEY_SECRET);
  }

  @Test
  void a_numeric_secret_used_by_mistake_is_not_shown_by_range_checks() {
    fixture.env.put("DB_PASSWORD", "734251");
    fixture.env.put("IIS_TOKEN", "0");
    fixture.env.put("IIS_API_KEY", "93d");
    String yaml =
        """
        server:
          port: ${DB_PASSWORD}
        engine:
          batchSize: ${IIS_TOKEN}
          lease: ${IIS_API_KEY}
        connectors:
          - id: iis
            type: rest
            baseUrl: http://iis.example
            timeouts:
              request: ${IIS_API_KEY}
            retry:
              maxAttempts: ${IIS_TOKEN}
              multiplier: ${IIS_TOKEN}
              initialBackoff: ${IIS_API_KEY}
        """;

    ConfigException failure = fixture.failure(yaml);

    assertThat(failure.problems())
        .containsExactly(
            "server.port: '${DB_PASSWORD}' (value hidden) is not a port number (0..65535); use"
                + " e.g. 8080, or 0 for any free port",
            "engine.batchSize: '${IIS_TOKEN}' (value hidden) is less than 1; set at least 1"
                + " (default 128)",
            "connectors[0].retry.maxAttempts: '${IIS_TOKEN}' (value hidden) is less than 1; set at"
                + " least 1 (1 means no retries; default 12)",
            "connectors[0].retry.initialBackoff: '${IIS_API_KEY}' (value hidden) is longer than"
                + " maxBackoff 10m; lower initialBackoff or raise maxBackoff",
            "connectors[0].retry.multiplier: '${IIS_TOKEN}' (value hidden) is less than 1; set 1"
                + " for a constant backoff, or e.g. 2 to double it after each attempt",
            "engine.lease: '${IIS_API_KEY}' (value hidden) must be longer than connectors[0] (iis)"
                + " timeouts.connect + timeouts.request, or a delivery could outlive its lease and"
                + " be sent twice; set engine.lease to longer than both together or shorten"
                + " connectors[0].timeouts");
    assertThat(failure.getMessage()).doesNotContain("734251", "93d", "2232h", "186d");
  }

  @Test
  void a_secret_written_literally_in_a_bad_line_is_not_quoted_in_a_syntax_error() {
    ConfigException failure =
        fixture.failure(
            "connectors:\n  - id: iis\n    auth:\n      token: " + IIS_SECRET + ": oops\n");

    assertThat(failure.getMessage()).contains("line 4").doesNotContain(IIS_SECRET);
  }

  @Test
  void a_database_url_with_a_password_is_masked_in_errors() {
    fixture.env.put("HMS_DB_URL", "postgres://sa:" + DB_SECRET + "@db/hms");

    assertThat(fixture.failure("").getMessage())
        .contains("HMS_DB_URL ('postgres://***@db/hms') is not a JDBC URL")
        .doesNotContain(DB_SECRET);
  }
}
