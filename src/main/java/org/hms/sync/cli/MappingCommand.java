package org.hms.sync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.SyncConfig;
import org.hms.sync.connector.OutboundRequest;
import org.hms.sync.connector.Preview;
import org.hms.sync.connector.Previewable;
import org.hms.sync.connector.types.ConnectorTypes;
import org.hms.sync.delivery.Connector;
import org.hms.sync.json.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "mapping",
    mixinStandardHelpOptions = true,
    description = "Work with JSONata mappings.",
    subcommands = {MappingCommand.Test.class})
public final class MappingCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "test",
      mixinStandardHelpOptions = true,
      description =
          "Print the request a connector would send for an event, without sending it. The event"
              + " file holds the mapping input: {\"event\": {...}, \"appointment\": {...},"
              + " \"externalId\": ...} (see examples/events/).")
  static final class Test implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, description = "YAML configuration file")
    Path config;

    @Option(names = "--connector", required = true, description = "connector id")
    String connector;

    @Option(names = "--event", required = true, description = "JSON file with the mapping input")
    Path event;

    @Override
    public Integer call() throws IOException {
      SyncConfig loaded = ConfigLoader.load(config);
      ConnectorConfig connectorConfig =
          loaded
              .connector(connector)
              .orElseThrow(
                  () ->
                      new CommandLine.ParameterException(
                          spec.commandLine(),
                          "connector '" + connector + "' is not in " + config + "; configured: "
                              + loaded.connectors().stream().map(ConnectorConfig::id).toList()));
      if (!Files.isRegularFile(event)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "event file " + event.toAbsolutePath() + " not found");
      }
      JsonNode input = Json.read(Files.readString(event));
      if (!input.isObject() || !input.path("event").path("type").isTextual()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "event file must be a JSON object with event.type (one of the route keys), e.g."
                + " examples/events/created.json");
      }
      String eventType = input.path("event").path("type").asText();
      if (connectorConfig.route(eventType).isEmpty()) {
        System.out.println(
            "connector " + connector + " has no route for " + eventType + ": nothing would be sent");
        return 0;
      }
      try (Connector built = ConnectorTypes.create(connectorConfig, Clock.systemUTC())) {
        if (!(built instanceof Previewable previewable)) {
          System.out.println(
              "connector type " + connectorConfig.type() + " cannot show its requests");
          return 1;
        }
        Preview preview =
            previewable.preview(
                eventType, (ObjectNode) input, "<idempotency key of the delivery>");
        OutboundRequest request = preview.request().redacted();
        System.out.println(request.method() + " " + request.uri());
        request.headers().forEach((name, value) -> System.out.println(name + ": " + value));
        System.out.println();
        System.out.println(request.body() == null ? "(no body)" : readable(request));
        if (preview.detail() != null) {
          System.out.println();
          System.out.println(preview.detail());
        }
      }
      return 0;
    }
  }

  /** JSON bodies pretty-printed; other bodies (XML envelopes) as they are sent. */
  private static String readable(OutboundRequest request) {
    String type = request.headers().getOrDefault("Content-Type", "");
    return type.contains("json") ? Json.pretty(Json.read(request.body())) : request.body();
  }
}
