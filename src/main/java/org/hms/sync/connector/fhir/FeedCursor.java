package org.hms.sync.connector.fhir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hms.sync.SyncException;
import org.hms.sync.json.Json;

/**
 * Where the fhir change feed stands, as the poller keeps it ({@code poll_state.cursor}, at most
 * {@value #MAX_LENGTH} characters), written as one line of JSON:
 *
 * <pre>{"after":"2027-03-01T08:00:00.123Z","seen":["17/3@0","12/1@850"],"next":"https://..."}</pre>
 *
 * <ul>
 *   <li>{@code after}: the newest {@code meta.lastUpdated} passed on. The next search asks for
 *       {@code _lastUpdated=ge<after - OVERLAP>}: a change whose transaction committed after a
 *       newer one was read, but which the server dated earlier (its lastUpdated is taken when the
 *       write starts), is still found, if it is at most {@link #OVERLAP} older;
 *   <li>{@code seen}: the Appointment versions passed on whose lastUpdated is in that overlap, as
 *       {@code <id>/<versionId>@<milliseconds before after>} (negative: after it), newest first.
 *       The search returns them again, and they are not passed on twice. When they do not all fit,
 *       the oldest are left out; the inbox, which keeps each version once, still drops such a
 *       repeat;
 *   <li>{@code next}: the search's {@code next} link while a long result is being read page by
 *       page, so that the following page comes from the same search; left out when longer than
 *       {@value #MAX_NEXT_LENGTH} characters (the search then starts again from {@code after});
 *   <li>{@code floor}: set while the overlap would reach back before a cursor of an earlier
 *       version (see below): the search asks for {@code _lastUpdated=gt<floor>} instead.
 * </ul>
 *
 * A cursor that is not JSON (one written by an earlier version: the lastUpdated of the last item,
 * or {@code inbound.poll.initialCursor}) means "everything up to this instant was passed on": it
 * is the floor, so the next search asks for {@code _lastUpdated=gt<cursor>}, as before, and it
 * stays as it is until something newer is read. Immutable.
 */
final class FeedCursor {
  /** How far back each search reaches before {@code after}. */
  static final Duration OVERLAP = Duration.ofSeconds(1);

  /** The width of {@code poll_state.cursor}. */
  static final int MAX_LENGTH = 2000;

  /** The longest next link kept; a longer one is dropped, and the search starts again. */
  static final int MAX_NEXT_LENGTH = 1000;

  /** One Appointment version read: {@code <id>/<versionId>} and its lastUpdated. */
  record Seen(String key, Instant lastUpdated) {}

  private final String floor;
  private final Instant after;
  private final Map<String, Instant> seen;
  private final String next;

  private FeedCursor(String floor, Instant after, Map<String, Instant> seen, String next) {
    this.floor = floor;
    this.after = after;
    this.seen = seen;
    this.next = next;
  }

  /** The cursor before the first poll: the whole history, oldest first. */
  static FeedCursor start() {
    return new FeedCursor(null, null, Map.of(), null);
  }

  /**
   * The cursor in {@code text}; {@link #start()} for {@code null}.
   *
   * @throws SyncException when a JSON cursor cannot be read (it was changed by hand)
   */
  static FeedCursor parse(String text) {
    if (text == null || text.isBlank()) {
      return start();
    }
    String trimmed = text.trim();
    if (!trimmed.startsWith("{")) {
      return new FeedCursor(trimmed, instantOrNull(trimmed), Map.of(), null);
    }
    try {
      JsonNode tree = Json.read(trimmed);
      Instant after = Instant.parse(tree.path("after").asText());
      Map<String, Instant> seen = new LinkedHashMap<>();
      for (JsonNode entry : tree.path("seen")) {
        String value = entry.asText();
        int at = value.lastIndexOf('@');
        seen.put(
            value.substring(0, at), after.minusMillis(Long.parseLong(value.substring(at + 1))));
      }
      return new FeedCursor(textOrNull(tree, "floor"), after, seen, textOrNull(tree, "next"));
    } catch (RuntimeException unreadable) { // JsonInputException, DateTimeParseException, ...
      throw new SyncException(
          "the stored cursor of the fhir change feed cannot be read ("
              + unreadable.getClass().getSimpleName() + "); set poll_state.cursor of this"
              + " connector to an instant such as 2027-03-01T00:00:00Z to read on from there");
    }
  }

  /**
   * The {@code _lastUpdated} criterion of the next search: {@code ge<after - OVERLAP>}, {@code
   * gt<floor>} while there is a floor, {@code null} (everything) at the start.
   */
  String criterion() {
    if (floor != null) {
      return "gt" + floor;
    }
    return after == null ? null : "ge" + after.minus(OVERLAP);
  }

  /** The next link to read next, or {@code null}: a new search. */
  String next() {
    return next;
  }

  /** The newest lastUpdated passed on, or {@code null} at the start. */
  Instant after() {
    return after;
  }

  /** Whether this Appointment version ({@code <id>/<versionId>}) was passed on already. */
  boolean hasSeen(String key) {
    return seen.containsKey(key);
  }

  /**
   * The cursor after a page: {@code after} moved on to {@code newest} (never back), the page's
   * versions added to those seen, those before the overlap forgotten, the floor dropped once the
   * overlap no longer reaches it, {@code nextLink} kept when short enough.
   *
   * @param read every Appointment version on the page, passed on now or before
   * @param newest the newest lastUpdated on the page that may move {@code after}, or {@code null}
   * @param nextLink the page's next link, or {@code null} at the end of the search
   */
  FeedCursor advance(List<Seen> read, Instant newest, String nextLink) {
    String keptNext = nextLink == null || nextLink.length() > MAX_NEXT_LENGTH ? null : nextLink;
    boolean moves = newest != null && (after == null || newest.isAfter(after));
    if (!moves && read.isEmpty()) {
      return new FeedCursor(floor, after, seen, keptNext);
    }
    Instant moved = moves ? newest : after;
    Map<String, Instant> kept = new LinkedHashMap<>(seen);
    for (Seen version : read) {
      kept.put(version.key(), version.lastUpdated());
    }
    if (moved == null) {
      return new FeedCursor(floor, null, kept, keptNext);
    }
    Instant horizon = moved.minus(OVERLAP);
    kept.values().removeIf(lastUpdated -> lastUpdated.isBefore(horizon));
    Instant floorInstant = floor == null ? null : instantOrNull(floor);
    String keptFloor =
        floor != null && floorInstant != null && !horizon.isAfter(floorInstant) ? floor : null;
    return new FeedCursor(keptFloor, moved, kept, keptNext);
  }

  /**
   * One line of JSON, at most {@value #MAX_LENGTH} characters: the oldest seen versions are left
   * out until it fits. A cursor of an earlier version that has not moved is written as it was;
   * {@code null} at the start.
   */
  String write() {
    if (after == null) {
      return floor;
    }
    if (floor != null && seen.isEmpty() && next == null && after.equals(instantOrNull(floor))) {
      return floor;
    }
    List<Map.Entry<String, Instant>> newestFirst = new ArrayList<>(seen.entrySet());
    newestFirst.sort(
        Map.Entry.<String, Instant>comparingByValue(Comparator.reverseOrder())
            .thenComparing(Map.Entry.comparingByKey()));
    List<String> entries = new ArrayList<>();
    for (Map.Entry<String, Instant> entry : newestFirst) {
      entries.add(entry.getKey() + "@" + Duration.between(entry.getValue(), after).toMillis());
    }
    String json = writeJson(entries);
    while (json.length() > MAX_LENGTH && !entries.isEmpty()) {
      int over = json.length() - MAX_LENGTH;
      int drop = 0;
      for (int freed = 0; freed < over && drop < entries.size(); drop++) {
        freed += entries.get(entries.size() - 1 - drop).length() + 3; // quotes and a comma
      }
      entries = entries.subList(0, entries.size() - drop);
      json = writeJson(entries);
    }
    return json;
  }

  private String writeJson(List<String> entries) {
    ObjectNode tree = Json.MAPPER.createObjectNode();
    tree.put("after", after.toString());
    ArrayNode list = tree.putArray("seen");
    entries.forEach(list::add);
    if (next != null) {
      tree.put("next", next);
    }
    if (floor != null) {
      tree.put("floor", floor);
    }
    return Json.write(tree);
  }

  private static String textOrNull(JsonNode tree, String key) {
    JsonNode value = tree.get(key);
    return value == null || value.isNull() ? null : value.asText();
  }

  /** A FHIR instant ({@code 2027-03-01T08:00:00.123+00:00}) as an Instant; null when it is not. */
  static Instant instantOrNull(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException notAnInstant) {
      return null;
    }
  }
}
