package org.hms.sync.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code connectors[].routes.list} and {@code connectors[].reconcile}. */
class ReconcileConfigTest {
  private static final String LIST =
      """
      routes:
        list:
          path: /appointments?from={from}&to={to}
          items: /items
          mapping: iis-list.jsonata
      """;

  @TempDir java.nio.file.Path dir;

  ConfigFixture fixture;

  @BeforeEach
  void setUp() {
    fixture = new ConfigFixture(dir);
    fixture.file("iis-list.jsonata", "{\"externalId\": payload.id, \"status\": payload.status}");
  }

  private ConnectorConfig only(String extra) {
    return fixture.load(ConfigFixture.withConnector(extra)).connectors().get(0);
  }

  @Test
  void a_list_route_is_read_with_its_defaults_and_is_not_an_event_subscription() {
    ConnectorConfig config = only(LIST);

    ListRouteConfig list = config.list();
    assertThat(list.method()).isEqualTo("GET");
    assertThat(list.path()).isEqualTo("/appointments?from={from}&to={to}");
    assertThat(list.items()).isEqualTo("/items");
    assertThat(list.next()).isNull();
    assertThat(list.maxPages()).isEqualTo(ListRouteConfig.DEFAULT_MAX_PAGES);
    assertThat(list.mapping()).isEqualTo(dir.resolve("iis-list.jsonata").normalize());
    assertThat(config.routes()).isEmpty();
    assertThat(config.reconcile()).isEqualTo(ReconcileConfig.defaults());
    assertThat(config.reconcile().scheduled()).isFalse();
  }

  @Test
  void a_schedule_is_read() {
    ConnectorConfig config =
        only(LIST + "reconcile:\n  interval: 30m\n  lookBack: 2d\n  lookAhead: 7d\n  repair: false\n");

    assertThat(config.reconcile())
        .isEqualTo(
            new ReconcileConfig(
                Duration.ofMinutes(30), Duration.ofDays(2), Duration.ofDays(7), false));
  }

  @Test
  void reconcile_without_a_list_route_is_refused() {
    assertThat(fixture.problems(ConfigFixture.withConnector("reconcile:\n  interval: 1h\n")))
        .anySatisfy(problem -> assertThat(problem)
            .contains("connectors[0].reconcile", "cannot list appointments", "routes.list"));
  }

  @Test
  void a_list_route_needs_path_and_mapping_and_knows_only_from_and_to() {
    assertThat(fixture.problems(ConfigFixture.withConnector("routes:\n  list:\n    items: /items\n")))
        .anySatisfy(problem -> assertThat(problem).contains("routes.list.path", "required"))
        .anySatisfy(problem -> assertThat(problem).contains("routes.list.mapping", "required"));
    assertThat(
            fixture.problems(
                ConfigFixture.withConnector(
                    "routes:\n  list:\n    path: /appointments?since={since}\n"
                        + "    mapping: iis-list.jsonata\n")))
        .anySatisfy(problem -> assertThat(problem).contains("{since}", "{from} and {to}"));
  }

  @Test
  void a_list_route_takes_get_or_post_only() {
    assertThat(
            fixture.problems(
                ConfigFixture.withConnector(
                    "routes:\n  list:\n    method: DELETE\n    path: /appointments\n"
                        + "    mapping: iis-list.jsonata\n")))
        .anySatisfy(problem -> assertThat(problem).contains("routes.list.method", "DELETE"));
  }

  @Test
  void an_interval_of_zero_and_an_empty_window_are_refused() {
    assertThat(fixture.problems(ConfigFixture.withConnector(LIST + "reconcile:\n  interval: 0s\n")))
        .anySatisfy(problem -> assertThat(problem).contains("reconcile.interval", "longer than zero"));
    assertThat(
            fixture.problems(
                ConfigFixture.withConnector(LIST + "reconcile:\n  lookBack: 0s\n  lookAhead: 0s\n")))
        .anySatisfy(problem -> assertThat(problem).contains("window is empty"));
  }

  @Test
  void only_a_rest_connector_takes_a_list_route() {
    String yaml =
        """
        connectors:
          - id: portal
            type: fhir
            baseUrl: http://127.0.0.1:9000/fhir
            routes:
              appointment.created: {}
              list:
                path: /Appointment
                mapping: iis-list.jsonata
        """;

    assertThat(fixture.problems(yaml))
        .anySatisfy(problem -> assertThat(problem).contains("routes.list", "only a rest connector"));
  }

  @Test
  void a_top_level_reconcile_section_schedules_every_connector_that_can_list_and_has_none() {
    String yaml =
        """
        reconcile:
          interval: 2h
          lookAhead: 14d
        connectors:
          - id: listing
            type: rest
            baseUrl: http://127.0.0.1:9000/api
            routes:
              list:
                path: /appointments?from={from}&to={to}
                mapping: iis-list.jsonata
          - id: own
            type: rest
            baseUrl: http://127.0.0.1:9000/api
            routes:
              list:
                path: /appointments?from={from}&to={to}
                mapping: iis-list.jsonata
            reconcile:
              interval: 10m
          - id: plain
            type: rest
            baseUrl: http://127.0.0.1:9000/api
        """;

    SyncConfig config = fixture.load(yaml);

    assertThat(config.connector("listing").orElseThrow().reconcile())
        .isEqualTo(
            new ReconcileConfig(
                Duration.ofHours(2), ReconcileConfig.DEFAULT_LOOK_BACK, Duration.ofDays(14), true));
    assertThat(config.connector("own").orElseThrow().reconcile().interval())
        .isEqualTo(Duration.ofMinutes(10));
    assertThat(config.connector("plain").orElseThrow().reconcile())
        .isEqualTo(ReconcileConfig.defaults());
    assertThat(fixture.problems("reconcile:\n  interval: soon\n"))
        .anySatisfy(problem -> assertThat(problem).startsWith("reconcile.interval"));
  }
}
