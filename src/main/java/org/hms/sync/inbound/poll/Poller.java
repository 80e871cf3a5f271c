package org.hms.sync.inbound.poll;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hms.sync.Failures;
import org.hms.sync.Ids;
import org.hms.sync.Text;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.PollConfig;
import org.hms.sync.connector.ChangeFeed;
import org.hms.sync.connector.auth.Credentials;
import org.hms.sync.connector.http.AnswerTooLargeException;
import org.hms.sync.connector.http.Http;
import org.hms.sync.inbound.InboxItem;
import org.hms.sync.inbound.InboxStatus;
import org.hms.sync.inbound.change.InboundChange;
import org.hms.sync.inbound.change.InboundChanges;
import org.hms.sync.json.Json;
import org.hms.sync.json.JsonInputException;
import org.hms.sync.mapping.Mapping;
import org.hms.sync.mapping.MappingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the change feed of every connector with {@code inbound.poll} and stores each item in the
 * inbox (status received, like a webhook; an item its mapping cannot read is stored rejected).
 * Per connector and poll: take the lease in {@code poll_state} (one poller per connector across
 * processes), {@code GET baseUrl + path?cursorParam=cursor} with the connector's credentials,
 * follow next-page links up to {@code maxPages}, then store the items and the new cursor in one
 * transaction. A failing poll keeps the cursor and backs off exponentially (at most {@link
 * #MAX_BACKOFF}). A connector's system may say that something changed ({@link #wakeUp}): its
 * connector is then polled at once, due or not. Thread-safe; {@link #start()} runs {@link
 * #runOnce()} on a daemon thread.
 */
public final class Poller implements AutoCloseable {
  /** The longest wait after failed polls. */
  public static final Duration MAX_BACKOFF = Duration.ofMinutes(10);

  /** The longest and shortest time between two looks for due connectors (see {@link #tickFor}). */
  static final Duration MAX_TICK = Duration.ofSeconds(1);

  static final Duration MIN_TICK = Duration.ofMillis(50);

  private static final Logger log = LoggerFactory.getLogger(Poller.class);
  private static final int MAX_ITEM_ID_LENGTH = 200;

  /** The width of {@code poll_state.cursor}. */
  static final int MAX_CURSOR_LENGTH = 2000;

  /** The width of {@code inbox.payload}: a larger item is stored rejected, without its content. */
  static final int MAX_ITEM_LENGTH = 1_000_000;

  /**
   * @param tick how often the loop looks for due connectors
   * @param lease how long one poll may hold a connector (longer than a poll takes)
   */
  public record Settings(Duration tick, Duration lease) {
    public Settings {
      Objects.requireNonNull(tick, "tick");
      Objects.requireNonNull(lease, "lease");
    }
  }

  /** Where a fetched batch goes; the default is {@link PollStateRepository#saveBatch}. */
  @FunctionalInterface
  interface BatchStore {
    int save(
        String connectorId, String node, String cursor, List<InboxItem> items, Instant now,
        Instant nextPollAt);
  }

  /** {@code feed} is set when the poll has no path: the connector's own change feed is read. */
  private record Source(
      ConnectorConfig connector, PollConfig poll, HttpClient http, Credentials credentials,
      Mapping mapping, ChangeFeed feed) {}

  private record Batch(List<InboxItem> items, String cursor, boolean more) {}

  private final List<Source> sources;
  private final PollStateRepository states;
  private final BatchStore store;
  private final Runnable onStored;
  private final String node;
  private final Settings settings;
  private final Clock clock;
  /** Connectors woken by their system, polled at the next round whether due or not. */
  private final Set<String> woken = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean roundQueued = new AtomicBoolean();
  private ScheduledExecutorService loop;

  Poller(
      List<Source> sources, PollStateRepository states, BatchStore store, Runnable onStored,
      String node, Settings settings, Clock clock) {
    this.sources = List.copyOf(sources);
    this.states = states;
    this.store = store;
    this.onStored = onStored;
    this.node = node;
    this.settings = settings;
    this.clock = clock;
  }

  /**
   * A poller of every connector with an {@code inbound.poll} section (none: {@link #runOnce()}
   * does nothing). Compiles the mappings now.
   *
   * @param feeds the built connectors by id; a poll without a path reads its connector's {@link
   *     ChangeFeed}
   * @param onStored called after new items were stored (wakes the inbox processor)
   * @param node this process's id in leases ({@code engine.nodeId})
   * @throws MappingException when a mapping does not compile
   * @throws IllegalArgumentException when a poll has no path and its connector no change feed
   */
  public static Poller create(
      List<ConnectorConfig> connectors, Map<String, ?> feeds, PollStateRepository states,
      Runnable onStored, String node, Settings settings, Clock clock) {
    return create(connectors, feeds, states, states::saveBatch, onStored, node, settings, clock);
  }

  static Poller create(
      List<ConnectorConfig> connectors, Map<String, ?> feeds, PollStateRepository states,
      BatchStore store, Runnable onStored, String node, Settings settings, Clock clock) {
    List<Source> sources = new ArrayList<>();
    for (ConnectorConfig connector : connectors) {
      PollConfig poll = connector.inbound().poll();
      if (poll == null) {
        continue;
      }
      ChangeFeed feed = null;
      if (poll.path() == null) {
        if (!(feeds.get(connector.id()) instanceof ChangeFeed changeFeed)) {
          throw new IllegalArgumentException(
              "connector '" + connector.id() + "' (type " + connector.type() + ") has"
                  + " inbound.poll without a path, but its type has no change feed of its own;"
                  + " set inbound.poll.path");
        }
        feed = changeFeed;
      }
      HttpClient http = Http.client(connector);
      sources.add(
          new Source(
              connector, poll, http, Credentials.of(connector.auth(), http, clock),
              Mapping.compile(poll.mapping()), feed));
    }
    return new Poller(sources, states, store, onStored, node, settings, clock);
  }

  /** The polled connectors' ids. */
  public List<String> connectorIds() {
    return sources.stream().map(source -> source.connector().id()).toList();
  }

  /**
   * How often the loop looks for due connectors: a quarter of the shortest poll interval, at most
   * {@link #MAX_TICK} and at least {@link #MIN_TICK}, so that a poll starts at most a quarter of
   * its interval late.
   */
  public static Duration tickFor(List<ConnectorConfig> connectors) {
    Duration tick = MAX_TICK;
    for (ConnectorConfig connector : connectors) {
      PollConfig poll = connector.inbound().poll();
      if (poll != null && poll.interval().dividedBy(4).compareTo(tick) < 0) {
        tick = poll.interval().dividedBy(4);
      }
    }
    return tick.compareTo(MIN_TICK) < 0 ? MIN_TICK : tick;
  }

  /**
   * Polls this connector as soon as the loop is free, whether its interval has passed or not: its
   * system said something changed. Any number of wake-ups before that poll make one poll; when
   * another process holds the connector's lease, this one polls once it is free. Returns at once;
   * does nothing (false) for a connector that is not polled, and polls nothing before {@link
   * #start()}.
   *
   * @return whether the connector is polled here
   */
  public boolean wakeUp(String connectorId) {
    if (!connectorIds().contains(connectorId)) {
      return false;
    }
    woken.add(connectorId);
    ScheduledExecutorService running;
    synchronized (this) {
      running = loop;
    }
    if (running != null && roundQueued.compareAndSet(false, true)) {
      try {
        running.execute(
            () -> {
              roundQueued.set(false);
              runQuietly();
            });
      } catch (RejectedExecutionException closed) {
        roundQueued.set(false); // stopping: nothing more to poll
      }
    }
    return true;
  }

  /** Starts the loop on a daemon thread; does nothing when no connector polls. */
  public synchronized void start() {
    if (loop != null || sources.isEmpty()) {
      return;
    }
    loop =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "hms-poller");
              thread.setDaemon(true);
              return thread;
            });
    long tick = Math.max(1, settings.tick().toMillis());
    loop.scheduleWithFixedDelay(this::runQuietly, 0, tick, TimeUnit.MILLISECONDS);
  }

  private void runQuietly() {
    try {
      runOnce();
    } catch (RuntimeException | Error failure) {
      // the loop must survive anything; runOnce already records per-connector failures
      log.warn("poller round failed ({}); trying again", Failures.describe(failure));
    }
  }

  /**
   * Polls each due connector whose lease this node gets.
   *
   * @return how many new items were stored
   */
  public int runOnce() {
    int stored = 0;
    for (Source source : sources) {
      stored += poll(source);
    }
    if (stored > 0) {
      onStored.run();
    }
    return stored;
  }

  private int poll(Source source) {
    String id = source.connector().id();
    Instant now = clock.instant();
    boolean wokenUp = woken.remove(id);
    PollState state;
    try {
      state = states.tryLease(id, node, now, settings.lease(), wokenUp).orElse(null);
    } catch (RuntimeException failure) {
      log.warn("cannot take the poll lease of connector '{}' ({})", id, Failures.describe(failure));
      state = null;
    }
    if (state == null) {
      if (wokenUp) {
        woken.add(id); // another node polls it now, or the database failed: try again next round
      }
      return 0;
    }
    String cursor = state.cursor() != null ? state.cursor() : source.poll().initialCursor();
    try {
      Batch batch = fetch(source, cursor, now);
      Instant next = batch.more() ? now : now.plus(source.poll().interval());
      int stored = store.save(id, node, batch.cursor(), batch.items(), now, next);
      log.debug("polled connector '{}': {} items, {} new", id, batch.items().size(), stored);
      return stored;
    } catch (LeaseLostException lost) {
      log.warn(lost.getMessage());
      return 0;
    } catch (RuntimeException failure) {
      String error =
          failure instanceof PollFailedException
              ? failure.getMessage()
              : "poll failed: " + Failures.describe(failure);
      Duration wait = backoff(source.poll().interval(), state.failures() + 1);
      try {
        states.recordFailure(id, node, error, now.plus(wait));
      } catch (RuntimeException unrecorded) {
        log.warn("cannot record the failed poll of connector '{}' ({})", id,
            Failures.describe(unrecorded));
      }
      log.warn("poll of connector '{}' failed: {}; next try in {}", id, error, wait);
      return 0;
    }
  }

  /** interval x 2^failures, at most {@link #MAX_BACKOFF} (and never less than the interval). */
  static Duration backoff(Duration interval, int failures) {
    Duration wait = interval;
    for (int i = 0; i < failures && wait.compareTo(MAX_BACKOFF) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(MAX_BACKOFF) > 0 && interval.compareTo(MAX_BACKOFF) < 0
        ? MAX_BACKOFF
        : wait;
  }

  private Batch fetch(Source source, String cursor, Instant now) {
    if (source.feed() != null) {
      return fetchFeed(source, cursor, now);
    }
    PollConfig poll = source.poll();
    URI uri = first(source.connector(), poll, cursor);
    List<InboxItem> items = new ArrayList<>();
    String nextCursor = null;
    for (int page = 1; ; page++) {
      JsonNode body = get(source, uri);
      JsonNode array = poll.items().isEmpty() ? body : body.at(poll.items());
      if (!array.isArray()) {
        throw new PollFailedException(
            "GET " + uri.getPath() + " answered without an items array at '" + poll.items()
                + "'; set inbound.poll.items to the JSON pointer of the array (\"\" when the body"
                + " is the array)");
      }
      for (JsonNode item : array) {
        if (poll.cursorField() != null) {
          JsonNode value = item.at(poll.cursorField());
          if (value.isValueNode() && !value.isNull() && !value.asText().isEmpty()) {
            nextCursor =
                usableCursor(
                    value.asText(),
                    "the cursor at '" + poll.cursorField() + "' of item " + items.size()
                        + " on page " + page);
          }
        }
        items.add(toItem(source, item, now));
      }
      if (poll.next() == null) {
        return new Batch(items, nextCursor, false);
      }
      JsonNode link = body.at(poll.next());
      if (!link.isTextual() || link.textValue().isBlank()) {
        return new Batch(items, nextCursor, false);
      }
      if (page >= poll.maxPages()) {
        return new Batch(items, nextCursor, true);
      }
      uri = sameOrigin(source.connector(), uri.resolve(link.textValue().trim()));
    }
  }

  /** Pages of the connector's own {@link ChangeFeed}; its cursors replace cursorField. */
  private Batch fetchFeed(Source source, String cursor, Instant now) {
    Duration timeout =
        source.connector().timeouts().connect().plus(source.connector().timeouts().request());
    List<InboxItem> items = new ArrayList<>();
    String next = cursor;
    for (int page = 1; ; page++) {
      ChangeFeed.ChangePage changes;
      try {
        changes = source.feed().fetchChanges(next).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException failed) {
        throw new PollFailedException(
            "fetching changes failed: " + Failures.describe(failed.getCause()), failed);
      } catch (TimeoutException slow) {
        throw new PollFailedException(
            "fetching changes took longer than " + timeout + " (timeouts.connect + request)", slow);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        throw new PollFailedException("interrupted while fetching changes", interrupted);
      }
      for (JsonNode item : changes.items()) {
        items.add(toItem(source, item, now));
      }
      if (changes.nextCursor() != null) {
        next = usableCursor(changes.nextCursor(), "the feed's cursor after page " + page);
      }
      if (!changes.more()) {
        return new Batch(items, next, false);
      }
      if (page >= source.poll().maxPages()) {
        return new Batch(items, next, true);
      }
    }
  }

  /**
   * The cursor, when {@code poll_state} can keep it; otherwise the poll fails (the old cursor
   * stays) with a reason that names where the cursor came from, never its value.
   */
  private static String usableCursor(String cursor, String where) {
    if (cursor.length() > MAX_CURSOR_LENGTH) {
      throw new PollFailedException(
          where + " is " + cursor.length() + " characters long; at most " + MAX_CURSOR_LENGTH
              + " are kept, so the cursor stays where it was");
    }
    String problem = Text.problem(cursor);
    if (problem != null) {
      throw new PollFailedException(
          where + " " + problem + ", which cannot be kept, so the cursor stays where it was");
    }
    return cursor;
  }

  private static URI first(ConnectorConfig connector, PollConfig poll, String cursor) {
    String base = connector.baseUrl().toString();
    String path = poll.path().startsWith("/") ? poll.path() : "/" + poll.path();
    StringBuilder uri =
        new StringBuilder(base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
            .append(path);
    if (cursor != null) {
      uri.append(path.contains("?") ? '&' : '?')
          .append(URLEncoder.encode(poll.cursorParam(), StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(cursor, StandardCharsets.UTF_8));
    }
    return URI.create(uri.toString());
  }

  /** Next-page links must stay on the connector's origin: our credentials go with them. */
  private static URI sameOrigin(ConnectorConfig connector, URI link) {
    URI base = connector.baseUrl();
    if (!Objects.equals(base.getScheme(), link.getScheme())
        || !Objects.equals(base.getHost(), link.getHost())
        || base.getPort() != link.getPort()) {
      throw new PollFailedException(
          "the next-page link points to another origin (" + link.getScheme() + "://"
              + link.getHost() + (link.getPort() < 0 ? "" : ":" + link.getPort())
              + ") than baseUrl; the poller follows links on the connector's own origin only, so"
              + " that its credentials go nowhere else");
    }
    return link;
  }

  private JsonNode get(Source source, URI uri) {
    Duration timeout = source.connector().timeouts().request();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).GET().timeout(timeout)
            .header("User-Agent", Http.USER_AGENT)
            .header("Accept", "application/json");
    source.connector().headers().forEach(request::header);
    try {
      source
          .credentials()
          .authorization()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .ifPresent(value -> request.header("Authorization", value));
    } catch (ExecutionException | TimeoutException noToken) {
      throw new PollFailedException(
          "no credentials for GET " + uri.getPath() + " ("
              + Failures.describe(noToken.getCause() == null ? noToken : noToken.getCause())
              + "); check the connector's auth section", noToken);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new PollFailedException("interrupted while getting credentials", interrupted);
    }
    String what = "GET " + uri.getPath();
    HttpResponse<byte[]> response;
    try {
      response = source.http().send(request.build(), Http.bounded(Http.MAX_PAGE_ANSWER_BYTES));
    } catch (IOException failed) {
      AnswerTooLargeException tooLarge = AnswerTooLargeException.in(failed);
      if (tooLarge == null) {
        throw new PollFailedException(
            what + " failed: " + failed.getClass().getSimpleName()
                + "; check that baseUrl is reachable", failed);
      }
      checkStatus(source, tooLarge.statusCode(), what);
      throw new PollFailedException(
          what + " answered more than " + Http.size(Http.MAX_PAGE_ANSWER_BYTES) + " in one page ("
              + tooLarge.getMessage() + "); lower the page size at the feed", tooLarge);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new PollFailedException("interrupted during " + what, interrupted);
    }
    checkStatus(source, response.statusCode(), what);
    try {
      return Json.read(response.body());
    } catch (JsonInputException malformed) {
      // the problem names the place, the field and the limit, never the content
      throw new PollFailedException(
          what + " answered with a body that is not JSON (" + malformed.problem() + ")",
          malformed);
    }
  }

  private static void checkStatus(Source source, int status, String what) {
    if (status == 401) {
      source.credentials().invalidate();
    }
    if (status < 200 || status > 299) {
      throw new PollFailedException(
          what + " answered " + status + "; the cursor stays and the poll is tried again later");
    }
  }

  private InboxItem toItem(Source source, JsonNode item, Instant now) {
    String connectorId = source.connector().id();
    String itemId = "poll:" + itemId(source.poll(), source.feed(), item);
    String payload = Json.write(item);
    if (payload.length() > MAX_ITEM_LENGTH) {
      // Stored rejected without its content (it does not fit), so that the feed moves on.
      return new InboxItem(
          Ids.newId(), connectorId, itemId, now, "{}", "{}", InboxStatus.REJECTED,
          "item_too_large: the item is " + payload.length() + " characters of JSON; the inbox"
              + " keeps items of at most " + MAX_ITEM_LENGTH + ", so it was stored without its"
              + " content",
          0, null, null, now);
    }
    ObjectNode input = Json.MAPPER.createObjectNode();
    input.set("payload", item);
    input.set("headers", Json.MAPPER.createObjectNode());
    input.put("connector", connectorId);
    String reason;
    try {
      List<InboundChange> changes = InboundChanges.read(source.mapping().evaluate(input));
      return InboxItem.received(
          Ids.newId(), connectorId, itemId, now, "{}", payload,
          Json.write(changes.stream().map(InboundChange::toMap).toList()));
    } catch (MappingException failed) {
      reason =
          "mapping_failed: the inbound mapping cannot turn this item into a change: "
              + failed.getMessage().replace(
                  source.mapping().file().toString(),
                  String.valueOf(source.mapping().file().getFileName()));
    } catch (IllegalArgumentException invalid) {
      reason = "invalid_change: the inbound mapping made no valid change: " + invalid.getMessage();
    }
    // Stored, not dropped: visible in GET /api/inbox, and the feed moves on.
    return new InboxItem(
        Ids.newId(), connectorId, itemId, now, "{}", payload, InboxStatus.REJECTED, reason, 0,
        null, null, now);
  }

  /** The idField's value when present and short, else the SHA-256 of the item's JSON. */
  static String itemId(PollConfig poll, JsonNode item) {
    return itemId(poll, null, item);
  }

  /**
   * The idField's value when present and short; else, for a connector's own feed, the id the feed
   * gives the item ({@link ChangeFeed#itemId}); else the SHA-256 of the item's JSON.
   */
  static String itemId(PollConfig poll, ChangeFeed feed, JsonNode item) {
    String id = null;
    if (poll.idField() != null) {
      JsonNode value = item.at(poll.idField());
      id = value.isValueNode() && !value.isNull() ? value.asText() : null;
    } else if (feed != null) {
      id = feed.itemId(item);
    }
    boolean usable =
        id != null && !id.isBlank() && id.length() <= MAX_ITEM_ID_LENGTH
            && Text.problem(id) == null;
    return usable ? id : "sha256:" + sha256(Json.write(item));
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", impossible);
    }
  }

  /**
   * Starts no new poll and returns at once; a poll in progress finishes on its own (see {@link
   * #awaitStop}). Idempotent.
   */
  @Override
  public synchronized void close() {
    if (loop != null) {
      loop.shutdown(); // no interrupt: a poll stopped halfway would be recorded as failed
    }
  }

  /**
   * Waits up to {@code wait} for a poll in progress once {@link #close()} was called.
   *
   * @return true when no poll runs any more
   */
  public boolean awaitStop(Duration wait) {
    ScheduledExecutorService stopping;
    synchronized (this) {
      stopping = loop;
    }
    if (stopping == null) {
      return true;
    }
    try {
      return stopping.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
