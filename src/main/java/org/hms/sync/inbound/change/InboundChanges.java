package org.hms.sync.inbound.change;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.hms.sync.Text;
import org.hms.sync.inbound.change.InboundChange.Action;

/**
 * Reads what an inbound mapping returned: one change, an array of changes, or {@code null}
 * (nothing to do). Strict: unknown keys, wrong types, an unknown action, a blank externalId, an
 * id with a control character (see {@link Text#problem}) or an unreadable start are refused; a
 * reason is made one printable line. Messages name the change and the key, never the value (PHI).
 */
public final class InboundChanges {
  static final int MAX_ID_LENGTH = 500;

  private InboundChanges() {}

  /**
   * @param result the mapping's result; {@code null} or a JSON null means no change
   * @throws IllegalArgumentException saying which change and key is wrong and what is expected
   */
  public static List<InboundChange> read(JsonNode result) {
    if (result == null || result.isNull() || result.isMissingNode()) {
      return List.of();
    }
    if (result.isObject()) {
      return List.of(change(result, "the change"));
    }
    if (!result.isArray()) {
      throw new IllegalArgumentException(
          "the mapping returned " + describe(result) + "; it must return a change object, an"
              + " array of them, or null to ignore the webhook");
    }
    List<InboundChange> changes = new ArrayList<>();
    for (int index = 0; index < result.size(); index++) {
      JsonNode item = result.get(index);
      String which = "change [" + index + "]";
      if (!item.isObject()) {
        throw new IllegalArgumentException(
            which + " is " + describe(item) + ", not an object with action and externalId");
      }
      changes.add(change(item, which));
    }
    return List.copyOf(changes);
  }

  /**
   * The changes stored with an inbox item (a JSON array text as {@link InboundChange#toMap()}
   * wrote them); {@code null} means none.
   *
   * @throws IllegalArgumentException when the text is not such an array
   */
  public static List<InboundChange> parse(String stored) {
    if (stored == null) {
      return List.of();
    }
    return read(org.hms.sync.json.Json.read(stored));
  }

  /** One change as a JSON object text, every key present. */
  public static String write(InboundChange change) {
    return org.hms.sync.json.Json.write(change.toMap());
  }

  private static InboundChange change(JsonNode node, String which) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!InboundChange.KEYS.contains(name)) {
        throw new IllegalArgumentException(
            which + " has the unknown key '" + clip(name) + "'; allowed keys: "
                + String.join(", ", InboundChange.KEYS));
      }
    }
    Action action = action(node.get("action"), which);
    String externalId = text(node, "externalId", which);
    if (externalId == null || externalId.isBlank()) {
      throw new IllegalArgumentException(
          which + " has no externalId; the mapping must set externalId to the appointment's id"
              + " at the sending system (a non-empty string)");
    }
    InboundChange change =
        new InboundChange(
            action,
            externalId,
            text(node, "appointmentId", which),
            text(node, "slotId", which),
            instant(node.get("start"), which),
            text(node, "locationCode", which),
            text(node, "patientMrn", which),
            text(node, "reason", which),
            version(node.get("baseVersion"), which));
    if ((action == Action.RESCHEDULE || action == Action.BOOK)
        && change.slotId() == null
        && change.start() == null) {
      throw new IllegalArgumentException(
          which + " (" + action.wire() + ") has neither slotId nor start; set one of them");
    }
    return change;
  }

  private static Action action(JsonNode node, String which) {
    String hint = "; set action to reschedule, cancel, book or complete";
    if (node == null || node.isNull()) {
      throw new IllegalArgumentException(which + " has no action" + hint);
    }
    if (node.isTextual()) {
      for (Action action : Action.values()) {
        if (action.wire().equals(node.textValue())) {
          return action;
        }
      }
    }
    throw new IllegalArgumentException(which + " has an unknown action" + hint);
  }

  private static String text(JsonNode node, String key, String which) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new IllegalArgumentException(
          which + " has " + key + " as " + describe(value) + "; it must be a string or null");
    }
    int max = key.equals("reason") ? 2000 : MAX_ID_LENGTH;
    if (value.textValue().length() > max) {
      throw new IllegalArgumentException(
          which + " has a " + key + " longer than " + max + " characters");
    }
    String problem = Text.problem(value.textValue());
    if (problem == null) {
      return value.textValue();
    }
    if (key.equals("reason")) {
      return Text.excerpt(value.textValue(), max); // free text: one printable line
    }
    throw new IllegalArgumentException(which + " has a " + key + " that " + problem);
  }

  private static Instant instant(JsonNode value, String which) {
    if (value == null || value.isNull()) {
      return null;
    }
    String hint = "; it must be an ISO-8601 instant such as 2027-03-01T09:00:00Z, or null";
    if (!value.isTextual()) {
      throw new IllegalArgumentException(which + " has start as " + describe(value) + hint);
    }
    try {
      return OffsetDateTime.parse(value.textValue()).toInstant();
    } catch (DateTimeParseException notAnInstant) {
      throw new IllegalArgumentException(which + " has a start that is not a time" + hint);
    }
  }

  private static Long version(JsonNode value, String which) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
      throw new IllegalArgumentException(
          which + " has baseVersion as " + describe(value)
              + "; it must be a whole number >= 0 (the appointment version) or null");
    }
    return value.longValue();
  }

  private static String describe(JsonNode node) {
    if (node.isArray()) {
      return "an array";
    }
    if (node.isObject()) {
      return "an object";
    }
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isBoolean()) {
      return "true/false";
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToLong() && node.longValue() < 0 ? "a negative number" : "a number";
    }
    if (node.isNumber()) {
      return "a decimal number";
    }
    return "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String clip(String name) {
    String safe = name.replaceAll("[^A-Za-z0-9_.-]", "?");
    return safe.length() > 40 ? safe.substring(0, 40) + "…" : safe;
  }
}
