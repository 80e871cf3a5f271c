package org.hms.sync.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole configuration, as loaded by {@link ConfigLoader}.
 *
 * @param file the absolute, normalized path of the file it came from; {@code null} when built in
 *     code
 * @param connectors in file order; may be empty
 */
public record SyncConfig(
    Path file,
    ServerConfig server,
    DatabaseConfig database,
    EngineConfig engine,
    List<ConnectorConfig> connectors) {

  public SyncConfig {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(database, "database");
    engine = engine == null ? EngineConfig.defaults() : engine;
    connectors = connectors == null ? List.of() : List.copyOf(connectors);
  }

  /** The connector with this id, if one is configured. */
  public Optional<ConnectorConfig> connector(String id) {
    return connectors.stream().filter(connector -> connector.id().equals(id)).findFirst();
  }
}
