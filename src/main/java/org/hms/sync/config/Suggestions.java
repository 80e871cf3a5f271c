package org.hms.sync.config;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean ...?" for misspelled keys and values. */
final class Suggestions {
  private static final int MAX_DISTANCE = 2;

  private Suggestions() {}

  /**
   * The candidate closest to {@code input} (ignoring case) if it is at most 2 edits away, else
   * {@code null}.
   */
  static String closest(String input, Collection<String> candidates) {
    String best = null;
    int bestDistance = MAX_DISTANCE + 1;
    String lowered = input.toLowerCase(Locale.ROOT);
    for (String candidate : candidates) {
      int distance = distance(lowered, candidate.toLowerCase(Locale.ROOT));
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best;
  }

  /** "did you mean 'x'? " or "" when nothing is close. */
  static String didYouMean(String input, Collection<String> candidates) {
    String closest = closest(input, candidates);
    return closest == null ? "" : "did you mean '" + closest + "'? ";
  }

  /** Levenshtein distance. */
  static int distance(String from, String to) {
    int[] previous = new int[to.length() + 1];
    int[] current = new int[to.length() + 1];
    for (int j = 0; j <= to.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= from.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= to.length(); j++) {
        int substitution = from.charAt(i - 1) == to.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + substitution);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[to.length()];
  }
}
