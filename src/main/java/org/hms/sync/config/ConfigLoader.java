package org.hms.sync.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Loads the YAML configuration file: substitutes {@code ${NAME}} and {@code ${NAME:default}} from
 * the environment in every value ({@code $${} is a literal {@code ${}), binds it and validates it.
 * Safe to call from several threads; it keeps no state.
 */
public final class ConfigLoader {
  private static final YAMLMapper YAML =
      YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private ConfigLoader() {}

  /** {@link #load(Path, Map)} with the process environment. */
  public static SyncConfig load(Path file) {
    return load(file, System.getenv());
  }

  /**
   * Loads, interpolates and validates the file.
   *
   * @param file the YAML file; relative mapping paths in it start from its folder
   * @param env the environment variables to substitute and to fall back on ({@code
   *     HMS_ADMIN_TOKEN}, {@code HMS_DB_URL})
   * @throws ConfigException listing every problem found: a missing or unreadable file, a YAML
   *     syntax error (with line and column), or each invalid value with its key path
   */
  public static SyncConfig load(Path file, Map<String, String> env) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(env, "env");
    Path absolute = file.toAbsolutePath().normalize();
    JsonNode root = parse(absolute, read(absolute));
    ConfigBinder binder = new ConfigBinder(absolute.getParent(), Map.copyOf(env));
    SyncConfig config = binder.bind(absolute, root);
    if (config == null) {
      throw new ConfigException(absolute, binder.problems());
    }
    return config;
  }

  private static String read(Path file) {
    if (Files.isDirectory(file)) {
      throw new ConfigException(
          file, List.of("is a folder, not a file; pass the path of the YAML file itself"));
    }
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(
          file, List.of("file not found: " + file + "; check the path or create the file"), e);
    } catch (CharacterCodingException e) {
      throw new ConfigException(file, List.of("the file is not valid UTF-8; save it as UTF-8"), e);
    } catch (IOException e) {
      throw new ConfigException(
          file,
          List.of("cannot read the file (" + e + "); check that it exists and is readable"),
          e);
    }
  }

  private static JsonNode parse(Path file, String text) {
    try {
      return YAML.readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation location = e.getLocation();
      String where =
          location == null || location.getLineNr() < 1
              ? "YAML syntax error"
              : "line " + location.getLineNr() + ", column " + location.getColumnNr();
      String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
      String problem =
          original.startsWith("Duplicate field")
              ? where
                  + ": duplicate key "
                  + original.substring("Duplicate field ".length())
                  + "; keep only one of them"
              : where
                  + ": "
                  + describe(original)
                  + "; fix the YAML syntax (check the indentation, and put quotes around values"
                  + " with special characters such as ': ' or a leading '{')";
      throw new ConfigException(file, List.of(problem), e);
    }
  }

  /**
   * SnakeYAML's message without the quoted source lines (which could show a secret written in the
   * file): "while parsing a flow node, expected the node content, but found '<stream end>'".
   */
  private static String describe(String message) {
    StringJoiner description = new StringJoiner(", ");
    for (String line : message.split("\n")) {
      if (!line.isBlank() && !line.startsWith(" ")) {
        description.add(line.strip());
      }
    }
    return description.length() == 0 ? "not valid YAML" : description.toString();
  }
}
