package org.hms.sync.mapping;

import com.dashjoin.jsonata.JException;
import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hms.sync.json.Json;

/** A compiled JSONata expression from a file. Thread-safe; compile once at start-up. */
public final class Mapping {
  private final Path file;
  private final String source;
  private final Jsonata expression;

  private Mapping(Path file, String source, Jsonata expression) {
    this.file = file;
    this.source = source;
    this.expression = expression;
  }

  /** Reads and compiles the file; a syntax error names the file, line, column and token. */
  public static Mapping compile(Path file) {
    String source;
    try {
      source = Files.readString(file);
    } catch (IOException failure) {
      throw new MappingException("cannot read mapping " + file + ": " + failure.getMessage(), failure);
    }
    return compile(file, source);
  }

  public static Mapping compile(Path file, String source) {
    try {
      return new Mapping(file, source, Jsonata.jsonata(source));
    } catch (JException failure) {
      throw new MappingException(
          "mapping " + file + " does not compile: " + failure.getMessage() + " ("
              + where(source, failure, true) + ")", failure);
    } catch (RuntimeException failure) {
      throw new MappingException(
          "mapping " + file + " does not compile: " + failure.getMessage(), failure);
    }
  }

  public Path file() {
    return file;
  }

  /**
   * Evaluates against a JSON input; returns the result as JSON, or null when the expression yields
   * nothing. Evaluation errors name the file and position but never echo input values.
   */
  public JsonNode evaluate(JsonNode input) {
    Object result = evaluatePlain(input);
    return result == null ? null : Json.MAPPER.valueToTree(result);
  }

  /**
   * Like {@link #evaluate}, written straight to JSON text (the request body a connector sends);
   * null when the expression yields nothing. Saves building a JSON tree that is written at once.
   */
  public String evaluateToText(JsonNode input) {
    Object result = evaluatePlain(input);
    return result == null ? null : Json.write(result);
  }

  private Object evaluatePlain(JsonNode input) {
    Object data = plain(input);
    try {
      Object result = expression.evaluate(data);
      if (result != null && !isPlainData(result)) {
        throw new MappingException(
            "mapping " + file + " yields a function or other non-JSON value; it must yield an"
                + " object, array, string, number or boolean", null);
      }
      return result;
    } catch (JException failure) {
      // JSONata's own message quotes the values involved, which may be PHI: code and place only.
      // $error("...") is the mapping author's own words (D3137): those are shown.
      String authored = "D3137".equals(failure.getError()) ? ": " + failure.getMessage() : "";
      throw new MappingException(
          "mapping " + file + " failed with JSONata error " + failure.getError() + " ("
              + where(source, failure, false) + ")" + authored
              + "; run `hms-sync mapping test` to see it on a sample",
          null);
    } catch (MappingException failure) {
      throw failure;
    } catch (RuntimeException failure) {
      throw new MappingException(
          "mapping " + file + " failed: " + failure.getClass().getSimpleName(), null);
    }
  }

  /**
   * The maps, lists and scalars JSONata evaluates, as Jackson's {@code convertValue(node,
   * Object.class)} gives them, without its round trip through a token buffer (this runs for every
   * delivery).
   */
  static Object plain(JsonNode node) {
    switch (node.getNodeType()) {
      case OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>(Math.max(4, node.size() * 2));
        for (Map.Entry<String, JsonNode> field : node.properties()) {
          map.put(field.getKey(), plain(field.getValue()));
        }
        return map;
      }
      case ARRAY -> {
        List<Object> list = new ArrayList<>(node.size());
        for (JsonNode item : node) {
          list.add(plain(item));
        }
        return list;
      }
      case STRING -> {
        return node.textValue();
      }
      case NUMBER -> {
        return node.numberValue();
      }
      case BOOLEAN -> {
        return node.booleanValue();
      }
      case NULL, MISSING -> {
        return null;
      }
      default -> {
        return Json.MAPPER.convertValue(node, Object.class); // binary and POJO nodes: rare
      }
    }
  }

  private static boolean isPlainData(Object value) {
    if (value == null || value instanceof String || value instanceof Number
        || value instanceof Boolean) {
      return true;
    }
    if (value instanceof Map<?, ?> map) {
      return map.values().stream().allMatch(Mapping::isPlainData);
    }
    if (value instanceof Iterable<?> items) {
      for (Object item : items) {
        if (!isPlainData(item)) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /** "line L, column C" of the token JSONata stopped at (its location is just past it). */
  private static String where(String source, JException failure, boolean parsing) {
    int location = failure.getLocation();
    if (location < 0) {
      return "position unknown";
    }
    Object token = parsing ? failure.getCurrent() : null;
    int length = token == null ? 1 : Math.max(1, String.valueOf(token).length());
    int position = Math.max(0, Math.min(location - length, source.length()));
    int line = 1;
    int column = 1;
    for (int i = 0; i < position; i++) {
      if (source.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return "line " + line + ", column " + column;
  }
}
