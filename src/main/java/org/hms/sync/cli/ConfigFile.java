package org.hms.sync.cli;

import java.nio.file.Path;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.config.SyncConfig;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by the commands that read a configuration. */
final class ConfigFile {
  @Option(names = "--config", required = true, description = "YAML configuration file")
  Path path;

  SyncConfig load() {
    return ConfigLoader.load(path);
  }
}
