package org.hms.sync.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** Writes config files into a test's temporary folder and loads them with a test environment. */
final class ConfigFixture {
  static final String CONFIG_NAME = "hms-sync.yml";

  final Path dir;
  final Map<String, String> env = new HashMap<>();

  ConfigFixture(Path dir) {
    this.dir = dir;
  }

  /** Writes {@code content} to {@code name} inside the folder (creating subfolders). */
  Path file(String name, String content) {
    Path file = dir.resolve(name);
    try {
      Files.createDirectories(file.getParent());
      return Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path config(String yaml) {
    return file(CONFIG_NAME, yaml);
  }

  SyncConfig load(String yaml) {
    return ConfigLoader.load(config(yaml), env);
  }

  ConfigException failure(String yaml) {
    Path file = config(yaml);
    AtomicReference<ConfigException> caught = new AtomicReference<>();
    assertThatThrownBy(() -> ConfigLoader.load(file, env))
        .isInstanceOfSatisfying(ConfigException.class, caught::set);
    return caught.get();
  }

  List<String> problems(String yaml) {
    return failure(yaml).problems();
  }

  /** A config with one valid connector; {@code connectorExtra} is indented under it. */
  static String withConnector(String connectorExtra) {
    StringBuilder yaml =
        new StringBuilder(
            "connectors:\n"
                + "  - id: iis\n"
                + "    type: rest\n"
                + "    baseUrl: http://127.0.0.1:9000/api\n");
    for (String line : connectorExtra.split("\n", -1)) {
      if (!line.isEmpty()) {
        yaml.append("    ").append(line).append('\n');
      }
    }
    return yaml.toString();
  }
}
