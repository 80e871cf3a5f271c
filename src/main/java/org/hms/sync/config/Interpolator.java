package org.hms.sync.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Substitutes {@code ${NAME}} and {@code ${NAME:default}} with environment variables; {@code $${}
 * stands for a literal {@code ${}. The default is used only when the variable is not set at all (an
 * empty variable stays empty). {@code ${file:PATH}} is the content of a file (a secret mounted by
 * the platform, say) without its trailing line break; a relative PATH starts at the config file's
 * folder. Values read from files are never shown in messages.
 */
final class Interpolator {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final Map<String, String> env;
  private final Problems problems;
  private final Path configDir;

  Interpolator(Map<String, String> env, Problems problems, Path configDir) {
    this.env = env;
    this.problems = problems;
    this.configDir = configDir;
  }

  /** The substituted scalar, or {@code null} after reporting why it could not be substituted. */
  Scalar resolve(String raw, String path) {
    StringBuilder value = new StringBuilder(raw.length());
    List<String> references = new ArrayList<>();
    boolean failed = false;
    int index = 0;
    while (index < raw.length()) {
      if (raw.startsWith("$${", index)) {
        value.append("${");
        index += 3;
        continue;
      }
      if (!raw.startsWith("${", index)) {
        value.append(raw.charAt(index));
        index++;
        continue;
      }
      int end = raw.indexOf('}', index + 2);
      if (end < 0) {
        problems.add(
            path,
            "'${' is not closed",
            "close it with '}', e.g. ${NAME} or ${NAME:default}, or write $${ for a literal ${");
        return null;
      }
      String reference = raw.substring(index + 2, end);
      int colon = reference.indexOf(':');
      String name = colon < 0 ? reference : reference.substring(0, colon);
      String fallback = colon < 0 ? null : reference.substring(colon + 1);
      index = end + 1;
      if (name.equals("file") && fallback != null) {
        references.add("file:" + fallback);
        String content = readSecretFile(fallback, path);
        if (content == null) {
          failed = true;
        } else {
          value.append(content);
        }
        continue;
      }
      if (!NAME.matcher(name).matches()) {
        problems.add(
            path,
            "'${" + name + "}' is not a valid environment variable reference",
            "use letters, digits and '_' (not starting with a digit), e.g. ${IIS_TOKEN}");
        failed = true;
        continue;
      }
      if (fallback != null && fallback.contains("${")) {
        problems.add(
            path,
            "the default of ${" + name + ":...} refers to another variable",
            "nested references are not supported; write a plain default");
        failed = true;
        continue;
      }
      references.add(name);
      String fromEnv = env.get(name);
      if (fromEnv != null) {
        value.append(fromEnv);
      } else if (fallback != null) {
        value.append(fallback);
      } else {
        problems.add(
            path,
            "environment variable " + name + " is not set (referenced at " + path + ")",
            "set it or write ${" + name + ":default}");
        failed = true;
      }
    }
    return failed ? null : new Scalar(path, raw, value.toString(), references);
  }

  /** The file's text without trailing line breaks, or {@code null} after reporting. */
  private String readSecretFile(String name, String path) {
    Path file;
    try {
      file = configDir == null ? Path.of(name) : configDir.resolve(name).normalize();
    } catch (InvalidPathException e) {
      problems.add(
          path,
          "${file:" + name + "} is not a valid file path (" + e.getReason() + ")",
          "write ${file:/run/secrets/name} or a path relative to the config file's folder");
      return null;
    }
    try {
      String content = Files.readString(file, StandardCharsets.UTF_8);
      return content.replaceAll("[\\r\\n]+$", "");
    } catch (IOException | UncheckedIOException e) {
      problems.add(
          path,
          "cannot read the secret file " + file + " (" + e.getClass().getSimpleName() + ")",
          "check that the file exists and that this process may read it");
      return null;
    }
  }
}
