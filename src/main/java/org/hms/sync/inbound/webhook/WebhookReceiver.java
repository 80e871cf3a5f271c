package org.hms.sync.inbound.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.hms.sync.Ids;
import org.hms.sync.Text;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.WebhookConfig;
import org.hms.sync.inbound.change.InboundChange;
import org.hms.sync.inbound.change.InboundChanges;
import org.hms.sync.inbound.InboxItem;
import org.hms.sync.json.Json;
import org.hms.sync.json.JsonInputException;
import org.hms.sync.mapping.Mapping;
import org.hms.sync.mapping.MappingException;

/**
 * One connector's webhook intake, before the inbox: verifies the Standard Webhooks signature,
 * parses the body and runs the inbound mapping, whose result must be valid changes. Thread-safe;
 * build it at start-up with {@link #create}, which compiles the mapping.
 */
public final class WebhookReceiver {
  static final int MAX_WEBHOOK_ID_LENGTH = 255;

  /** Request headers never stored nor given to the mapping: credentials of proxies or browsers. */
  private static final Set<String> NOT_KEPT =
      Set.of("authorization", "proxy-authorization", "cookie", "x-api-key");

  private final String connectorId;
  private final WebhookVerifier verifier;
  private final Mapping mapping;
  private final Clock clock;

  WebhookReceiver(String connectorId, WebhookVerifier verifier, Mapping mapping, Clock clock) {
    this.connectorId = connectorId;
    this.verifier = verifier;
    this.mapping = mapping;
    this.clock = clock;
  }

  /**
   * The receiver of a connector with an {@code inbound.webhook} section.
   *
   * @throws MappingException when the mapping does not compile (it names file, line and column)
   * @throws IllegalArgumentException when the connector has no webhook or a secret is invalid
   */
  public static WebhookReceiver create(ConnectorConfig connector, Clock clock) {
    WebhookConfig config = connector.inbound().webhook();
    if (config == null) {
      throw new IllegalArgumentException(
          "connector '" + connector.id() + "' has no inbound.webhook section");
    }
    WebhookVerifier verifier;
    try {
      verifier =
          new WebhookVerifier(
              config.secrets(), Duration.ofSeconds(config.toleranceSeconds()), clock);
    } catch (IllegalArgumentException invalid) {
      throw new IllegalArgumentException(
          "connector '" + connector.id() + "' inbound.webhook: " + invalid.getMessage(), invalid);
    }
    return new WebhookReceiver(connector.id(), verifier, Mapping.compile(config.mapping()), clock);
  }

  public String connectorId() {
    return connectorId;
  }

  /**
   * Checks the signature and the timestamp.
   *
   * @param headers the request headers, names in lower case
   * @return the {@code webhook-id}
   * @throws WebhookRejectedException 401 when the webhook is not authentic or not fresh, 400 when
   *     its id is unusable
   */
  public String verify(Map<String, String> headers, byte[] body) {
    String id = headers.get("webhook-id");
    try {
      verifier.verify(
          id, headers.get("webhook-timestamp"), headers.get("webhook-signature"), body);
    } catch (WebhookVerificationException rejected) {
      throw new WebhookRejectedException(401, rejected.reason().label(), rejected.getMessage());
    }
    String trimmed = id.trim();
    if (trimmed.length() > MAX_WEBHOOK_ID_LENGTH || Text.problem(trimmed) != null) {
      throw new WebhookRejectedException(
          400, "bad_webhook_id",
          "webhook-id must be at most " + MAX_WEBHOOK_ID_LENGTH
              + " characters without control characters; send a short unique id per message");
    }
    return trimmed;
  }

  /**
   * Parses a verified webhook and maps it to changes: the inbox item to store, status received.
   *
   * @throws WebhookRejectedException 400 when the body is not JSON, or the mapping fails or does
   *     not yield valid changes
   */
  public InboxItem toItem(String webhookId, Map<String, String> headers, byte[] body) {
    String text = utf8(body);
    JsonNode payload = parse(text, body);
    Map<String, String> kept = kept(headers);
    ObjectNode input = Json.MAPPER.createObjectNode();
    input.set("payload", payload);
    input.set("headers", Json.MAPPER.valueToTree(kept));
    input.put("connector", connectorId);
    JsonNode result;
    try {
      result = mapping.evaluate(input);
    } catch (MappingException failed) {
      throw new WebhookRejectedException(
          400, "mapping_failed",
          "the inbound mapping cannot turn this payload into a change: "
              + failed.getMessage().replace(
                  mapping.file().toString(), String.valueOf(mapping.file().getFileName())));
    }
    List<InboundChange> changes;
    try {
      changes = InboundChanges.read(result);
    } catch (IllegalArgumentException invalid) {
      throw new WebhookRejectedException(
          400, "invalid_change", "the inbound mapping made no valid change: " + invalid.getMessage());
    }
    return InboxItem.received(
        Ids.newId(),
        connectorId,
        webhookId,
        clock.instant(),
        Json.write(kept),
        text,
        Json.write(changes.stream().map(InboundChange::toMap).toList()));
  }

  private static String utf8(byte[] body) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body))
          .toString();
    } catch (CharacterCodingException notUtf8) {
      throw new WebhookRejectedException(
          400, "malformed_json", "the body is not UTF-8 text; send JSON encoded as UTF-8");
    }
  }

  private static JsonNode parse(String text, byte[] body) {
    if (text.isBlank()) {
      throw new WebhookRejectedException(
          400, "malformed_json", "the body is empty; send the event as JSON");
    }
    try {
      return Json.read(body);
    } catch (JsonInputException malformed) {
      if (malformed.tooLarge()) {
        throw new WebhookRejectedException(413, "too_large", malformed.getMessage());
      }
      throw new WebhookRejectedException(
          400, "malformed_json",
          "the body is not valid JSON (" + malformed.getMessage() + "); send one JSON value");
    }
  }


  private static Map<String, String> kept(Map<String, String> headers) {
    Map<String, String> kept = new TreeMap<>();
    headers.forEach(
        (name, value) -> {
          String lower = name.toLowerCase(Locale.ROOT);
          if (!NOT_KEPT.contains(lower)) {
            kept.put(lower, value);
          }
        });
    return kept;
  }
}
