package org.hms.sync.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Set;
import org.hms.sync.Text;
import org.hms.sync.TimeRange;
import org.hms.sync.json.Json;
import org.hms.sync.json.JsonInputException;

/**
 * A request's JSON object, read field by field with 400 answers that name the field and the
 * expected form. Error messages never echo submitted values (they may be PHI).
 */
final class Body {
  private final JsonNode node;
  private final String prefix;

  private Body(JsonNode node, String prefix) {
    this.node = node;
    this.prefix = prefix;
  }

  /**
   * Parses the request's body (read by {@link RequestBody}); an empty body counts as {} when
   * {@code emptyAllowed}.
   */
  static Body parse(Context ctx, boolean emptyAllowed, Set<String> allowed) {
    byte[] bytes = RequestBody.bytes(ctx);
    if (isBlank(bytes)) {
      if (emptyAllowed) {
        return new Body(Json.MAPPER.createObjectNode(), "");
      }
      throw Problem.badRequest("request body is empty; send a JSON object");
    }
    JsonNode node;
    try {
      node = Json.readRequest(bytes);
    } catch (JsonInputException refused) {
      throw refused.tooLarge()
          ? new Problem(413, "Content Too Large", refused.getMessage())
          : Problem.badRequest(refused.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw Problem.badRequest("request body must be a JSON object");
    }
    Body body = new Body(node, "");
    body.allowOnly(allowed);
    return body;
  }

  void allowOnly(Set<String> allowed) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw Problem.badRequest(
            "unknown field '" + prefix + printable(name) + "'; allowed fields: "
                + String.join(", ", allowed.stream().sorted().toList()));
      }
    }
  }

  boolean has(String field) {
    JsonNode value = node.get(field);
    return value != null && !value.isNull();
  }

  Body object(String field, Set<String> allowed) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isObject()) {
      throw Problem.badRequest("field '" + prefix + field + "' must be a JSON object");
    }
    Body nested = new Body(value, prefix + field + ".");
    nested.allowOnly(allowed);
    return nested;
  }

  String requiredText(String field) {
    String value = optionalText(field);
    if (value == null || value.isBlank()) {
      throw Problem.badRequest("field '" + prefix + field + "' is required (a non-empty string)");
    }
    return value;
  }

  String optionalText(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw Problem.badRequest(
          "field '" + prefix + field + "' must be a string (in quotes), not "
              + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }
    String text = value.textValue();
    String problem = Text.problem(text);
    if (problem != null) {
      throw Problem.badRequest("field '" + prefix + field + "' " + problem + "; send printable text");
    }
    return text;
  }

  boolean optionalBoolean(String field, boolean defaultValue) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return defaultValue;
    }
    if (!value.isBoolean()) {
      throw Problem.badRequest("field '" + prefix + field + "' must be true or false");
    }
    return value.booleanValue();
  }

  int requiredInt(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw Problem.badRequest("field '" + prefix + field + "' is required (an integer)");
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw Problem.badRequest("field '" + prefix + field + "' must be an integer");
    }
    return value.intValue();
  }

  Instant requiredInstant(String field) {
    Instant value = optionalInstant(field);
    if (value == null) {
      throw Problem.badRequest(
          "field '" + prefix + field + "' is required (an ISO-8601 instant such as 2027-03-01T09:00:00Z)");
    }
    return value;
  }

  Instant optionalInstant(String field) {
    String text = optionalText(field);
    if (text == null) {
      return null;
    }
    Instant instant;
    try {
      instant = Instant.parse(text);
    } catch (DateTimeParseException invalid) {
      try {
        instant = OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeParseException alsoInvalid) {
        throw Problem.badRequest(
            "field '" + prefix + field + "' must be an ISO-8601 instant such as 2027-03-01T09:00:00Z");
      }
    }
    if (!TimeRange.contains(instant)) {
      throw Problem.badRequest(
          "field '" + prefix + field + "' lies outside the years " + TimeRange.FIRST_YEAR + " to "
              + TimeRange.LAST_YEAR);
    }
    return instant;
  }

  LocalDate requiredDate(String field) {
    String text = requiredText(field);
    LocalDate date;
    try {
      date = LocalDate.parse(text);
    } catch (DateTimeParseException invalid) {
      throw Problem.badRequest("field '" + prefix + field + "' must be a date written YYYY-MM-DD");
    }
    if (!TimeRange.contains(date)) {
      throw Problem.badRequest(
          "field '" + prefix + field + "' lies outside the years " + TimeRange.FIRST_YEAR + " to "
              + TimeRange.LAST_YEAR);
    }
    return date;
  }

  private static boolean isBlank(byte[] bytes) {
    for (byte next : bytes) {
      if (next != ' ' && next != '\t' && next != '\r' && next != '\n') {
        return false;
      }
    }
    return true;
  }

  /** A client-chosen field name made safe to show: printable ASCII, at most 64 characters. */
  private static String printable(String name) {
    String safe = name.replaceAll("[^\\x20-\\x7e]", "?");
    return safe.length() > 64 ? safe.substring(0, 64) + "..." : safe;
  }
}
