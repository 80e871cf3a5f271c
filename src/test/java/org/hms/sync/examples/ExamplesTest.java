package org.hms.sync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.SyncConfig;
import org.hms.sync.connector.types.ConnectorTypes;
import org.hms.sync.delivery.Connector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every config under {@code examples/} loads with its defaults and builds its connectors (which
 * compiles their mappings and documents), so the examples stay true as the code changes.
 */
class ExamplesTest {

  static List<Path> exampleConfigs() throws IOException {
    try (Stream<Path> files = Files.walk(Path.of("examples"))) {
      return files
          .filter(file -> file.getFileName().toString().endsWith(".yaml"))
          .sorted()
          .toList();
    }
  }

  @ParameterizedTest
  @MethodSource("exampleConfigs")
  void example_config_loads_and_builds_its_connectors(Path file) {
    SyncConfig config = ConfigLoader.load(file, Map.of());

    assertThat(config.connectors()).as("%s has connectors", file).isNotEmpty();
    for (ConnectorConfig connectorConfig : config.connectors()) {
      try (Connector connector = ConnectorTypes.create(connectorConfig, Clock.systemUTC())) {
        assertThat(connector.id()).isEqualTo(connectorConfig.id());
      }
    }
  }
}
