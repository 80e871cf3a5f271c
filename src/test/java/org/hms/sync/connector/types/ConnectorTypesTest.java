package org.hms.sync.connector.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Clock;
import java.util.Map;
import org.hms.sync.config.AuthConfig;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.RouteConfig;
import org.hms.sync.connector.rest.RestConnector;
import org.hms.sync.delivery.Connector;
import org.hms.sync.outbox.EventTypes;
import org.junit.jupiter.api.Test;

class ConnectorTypesTest {

  private static final Map<String, RouteConfig> ROUTES =
      Map.of(
          EventTypes.CREATED,
          new RouteConfig(EventTypes.CREATED, "POST", "/appointments", null, "/id"));

  @Test
  void rest_type_builds_a_rest_connector_with_the_configured_id() {
    Connector connector = ConnectorTypes.create(config("rest"), Clock.systemUTC());

    assertThat(connector).isInstanceOf(RestConnector.class);
    assertThat(connector.id()).isEqualTo("state-iis");
  }

  @Test
  void unknown_type_names_the_connector_and_the_known_types() {
    assertThatThrownBy(() -> ConnectorTypes.create(config("soap"), Clock.systemUTC()))
        .isInstanceOf(org.hms.sync.SyncException.class)
        .hasMessageContaining("'state-iis'")
        .hasMessageContaining("'soap'")
        .hasMessageContaining("rest");
  }

  private static ConnectorConfig config(String type) {
    return new ConnectorConfig(
        "state-iis",
        type,
        URI.create("http://127.0.0.1:9/api"),
        AuthConfig.none(),
        null,
        null,
        Map.of(),
        ROUTES);
  }
}
