package org.hms.sync.connector.types;

import java.time.Clock;
import java.util.Map;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.connector.fhir.FhirConnector;
import org.hms.sync.connector.graphql.GraphqlConnector;
import org.hms.sync.connector.iis.IisSoapConnector;
import org.hms.sync.connector.rest.RestConnector;
import org.hms.sync.delivery.Connector;

/**
 * The connector types this build knows. Adding a protocol is one class plus one entry here; the
 * engine never names a type.
 */
public final class ConnectorTypes {
  /** Builds a connector of one type from its configuration; compiles mappings eagerly. */
  @FunctionalInterface
  public interface Factory {
    Connector create(ConnectorConfig config, Clock clock);
  }

  private static final Map<String, Factory> FACTORIES =
      Map.of(
          "rest", RestConnector::create,
          IisSoapConnector.TYPE, IisSoapConnector::create,
          "fhir", FhirConnector::create,
          "graphql", GraphqlConnector::create);

  private ConnectorTypes() {}

  public static Connector create(ConnectorConfig config, Clock clock) {
    Factory factory = FACTORIES.get(config.type());
    if (factory == null) {
      throw new org.hms.sync.SyncException(
          "connector '" + config.id() + "' has unknown type '" + config.type() + "'; known types: "
              + FACTORIES.keySet());
    }
    return factory.create(config, clock);
  }
}
