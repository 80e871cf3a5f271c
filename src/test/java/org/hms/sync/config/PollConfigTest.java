package org.hms.sync.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code connectors[].inbound.poll} section. */
class PollConfigTest {
  @TempDir java.nio.file.Path dir;

  ConfigFixture fixture;

  @BeforeEach
  void setUp() {
    fixture = new ConfigFixture(dir);
    fixture.file("inbound/poll.jsonata", "{\"action\": \"cancel\", \"externalId\": payload.id}");
  }

  private ConnectorConfig only(String extra) {
    return fixture.load(ConfigFixture.withConnector(extra)).connectors().get(0);
  }

  private List<String> problems(String extra) {
    return fixture.problems(ConfigFixture.withConnector(extra));
  }

  @Test
  void a_poll_with_only_path_and_mapping_gets_the_defaults() {
    PollConfig poll =
        only("inbound:\n  poll:\n    path: /changes\n    mapping: inbound/poll.jsonata\n")
            .inbound()
            .poll();

    assertThat(poll)
        .isEqualTo(PollConfig.of("/changes", dir.resolve("inbound/poll.jsonata").normalize()));
    assertThat(poll.interval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(poll.cursorParam()).isEqualTo("updatedSince");
    assertThat(poll.items()).isEmpty();
    assertThat(poll.maxPages()).isEqualTo(10);
  }

  @Test
  void every_poll_key_is_read() {
    ConnectorConfig config =
        only(
            """
            inbound:
              poll:
                path: /changes
                interval: 5s
                cursorParam: _since
                items: /items
                next: /links/next
                cursorField: /updatedAt
                idField: /changeId
                mapping: inbound/poll.jsonata
                initialCursor: 2027-01-01T00:00:00Z
                maxPages: 3
            """);

    assertThat(config.inbound().hasPoll()).isTrue();
    assertThat(config.inbound().hasWebhook()).isFalse();
    assertThat(config.inbound().poll())
        .isEqualTo(
            new PollConfig(
                "/changes", Duration.ofSeconds(5), "_since", "/items", "/links/next",
                "/updatedAt", "/changeId", dir.resolve("inbound/poll.jsonata").normalize(),
                "2027-01-01T00:00:00Z", 3));
  }

  @Test
  void missing_path_and_mapping_are_reported() {
    assertThat(problems("inbound:\n  poll:\n    interval: 10s\n"))
        .containsExactly(
            "connectors[0].inbound.poll.path: required key is missing; set the path of the change"
                + " feed, appended to baseUrl, e.g. path: /appointments/changes",
            "connectors[0].inbound.poll.mapping: required key is missing; set the JSONata file"
                + " that turns one polled item into changes, e.g. mapping:"
                + " inbound/portal-poll.jsonata");
  }

  @Test
  void bad_pointers_a_zero_interval_no_pages_and_unknown_keys_are_reported() {
    List<String> problems =
        problems(
            """
            inbound:
              poll:
                path: /changes
                mapping: inbound/poll.jsonata
                interval: 0s
                items: items
                cursorField: /a~2
                maxPages: 0
                cursor: x
            """);

    assertThat(problems).hasSize(5);
    assertThat(String.join("\n", problems))
        .contains("connectors[0].inbound.poll.interval: must be longer than zero")
        .contains("connectors[0].inbound.poll.items: ")
        .contains("connectors[0].inbound.poll.cursorField: ")
        .contains("connectors[0].inbound.poll.maxPages: ")
        .contains("cursor");
  }

  @Test
  void a_fhir_connector_may_leave_out_the_path_to_poll_its_own_change_feed() {
    SyncConfig config =
        fixture.load(
            """
            connectors:
              - id: portal
                type: fhir
                baseUrl: http://127.0.0.1:9000/fhir
                inbound:
                  poll:
                    mapping: inbound/poll.jsonata
            """);

    assertThat(config.connectors().get(0).inbound().poll().path()).isNull();
  }
}
