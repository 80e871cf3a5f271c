package org.hms.sync.config;

import java.util.ArrayList;
import java.util.List;

/** Collects configuration problems so that all of them are reported at once. */
final class Problems {
  private final List<String> problems = new ArrayList<>();

  /** Adds {@code <path>: <what is wrong>; <what to do>}. */
  void add(String path, String whatIsWrong, String whatToDo) {
    problems.add(path + ": " + whatIsWrong + "; " + whatToDo);
  }

  /** Adds {@code <path>: <message>} for a message that already says what to do. */
  void add(String path, String message) {
    problems.add(path + ": " + message);
  }

  int count() {
    return problems.size();
  }

  boolean isEmpty() {
    return problems.isEmpty();
  }

  List<String> list() {
    return List.copyOf(problems);
  }
}
