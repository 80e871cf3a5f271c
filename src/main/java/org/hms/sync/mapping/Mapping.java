package org.hms.sync.mapping;

import com.dashjoin.jsonata.JException;
import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
          "mapping " + file + " does not compile: " + describe(source, failure), failure);
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
    Object data = Json.MAPPER.convertValue(input, Object.class);
    Object result;
    try {
      result = expression.evaluate(data);
    } catch (JException failure) {
      throw new MappingException(
          "mapping " + file + " failed: " + describe(source, failure), failure);
    } catch (RuntimeException failure) {
      throw new MappingException(
          "mapping " + file + " failed: " + failure.getClass().getSimpleName(), failure);
    }
    if (result == null) {
      return null;
    }
    return Json.MAPPER.valueToTree(result);
  }

  private static String describe(String source, JException failure) {
    int position = Math.max(0, Math.min(failure.getLocation(), source.length()));
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
    return failure.getError()
        + " at line "
        + line
        + ", column "
        + column
        + " (position "
        + failure.getLocation()
        + "): "
        + failure.getMessage();
  }
}
