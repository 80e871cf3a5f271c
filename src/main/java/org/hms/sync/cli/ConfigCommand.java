package org.hms.sync.cli;

import org.hms.sync.config.ConfigSchema;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Work with the configuration file.",
    subcommands = {ConfigCommand.Schema.class})
public final class ConfigCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "schema",
      mixinStandardHelpOptions = true,
      description =
          "Print the JSON Schema (draft-07) of hms-sync.yaml, for completion and validation in"
              + " editors: ./hms-sync config schema > hms-sync.schema.json, then put"
              + " '# yaml-language-server: $schema=./hms-sync.schema.json' at the top of"
              + " hms-sync.yaml.")
  static final class Schema implements Runnable {
    @Override
    public void run() {
      System.out.print(ConfigSchema.json());
      System.out.flush();
    }
  }
}
