package org.hms.sync.config;

import java.nio.file.Path;
import java.util.List;
import org.hms.sync.SyncException;

/**
 * The configuration file could not be used. The message starts with {@code invalid configuration
 * <file>:} followed by one line per problem; {@link #problems()} gives the same problems one by
 * one, each as {@code <key path>: <what is wrong>; <what to do>}. Messages never contain secret
 * values.
 */
public final class ConfigException extends SyncException {
  private final List<String> problems;

  ConfigException(Path file, List<String> problems) {
    super(message(file, problems));
    this.problems = List.copyOf(problems);
  }

  ConfigException(Path file, List<String> problems, Throwable cause) {
    super(message(file, problems), cause);
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in file order; never empty. */
  public List<String> problems() {
    return problems;
  }

  private static String message(Path file, List<String> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    StringBuilder message = new StringBuilder("invalid configuration ").append(file).append(':');
    for (String problem : problems) {
      message.append("\n  - ").append(problem);
    }
    return message.toString();
  }
}
