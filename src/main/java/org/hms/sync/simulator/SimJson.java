package org.hms.sync.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import java.util.Map;
import org.hms.sync.SyncException;

/** The simulator's one JSON mapper and the few shapes it reads and writes. */
final class SimJson {

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final ObjectMapper mapper;

  SimJson() {
    this.mapper = new ObjectMapper();
  }

  /** A request body read as a JSON object, or the reason it is not one. */
  record ParsedBody(ObjectNode object, String problem) {
    boolean isObject() {
      return object != null;
    }
  }

  ObjectNode object() {
    return mapper.createObjectNode();
  }

  ParsedBody parseObject(String body) {
    if (body == null || body.isBlank()) {
      return new ParsedBody(null, "Request body is empty; send a JSON object such as {\"status\": \"booked\"}");
    }
    JsonNode node;
    try {
      node = mapper.readTree(body);
    } catch (JsonProcessingException notJson) {
      return new ParsedBody(
          null,
          "Request body is not valid JSON (line "
              + notJson.getLocation().getLineNr()
              + ", column "
              + notJson.getLocation().getColumnNr()
              + "); send a JSON object such as {\"status\": \"booked\"}");
    }
    if (node instanceof ObjectNode object) {
      return new ParsedBody(object, null);
    }
    return new ParsedBody(
        null,
        "Request body must be a JSON object, got "
            + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
            + "; send a JSON object such as {\"status\": \"booked\"}");
  }

  /**
   * The body in a form where equal JSON compares equal whatever its spacing or key order; text
   * that is not JSON stays as it is.
   */
  JsonNode canonical(String body) {
    if (body == null || body.isBlank()) {
      return MissingNode.getInstance();
    }
    try {
      return mapper.readTree(body);
    } catch (JsonProcessingException notJson) {
      return TextNode.valueOf(body);
    }
  }

  Map<String, Object> toMap(ObjectNode node) {
    return mapper.convertValue(node, MAP);
  }

  ObjectNode error(int status, String message) {
    ObjectNode error = object();
    error.put("error", message);
    error.put("status", status);
    return error;
  }

  ObjectNode items(String field, List<? extends JsonNode> items) {
    ObjectNode wrapper = object();
    wrapper.putArray(field).addAll(items);
    return wrapper;
  }

  String write(JsonNode node) {
    try {
      return mapper.writeValueAsString(node);
    } catch (JsonProcessingException unexpected) {
      throw new SyncException("IIS simulator could not write a JSON response: " + unexpected.getMessage(), unexpected);
    }
  }
}
