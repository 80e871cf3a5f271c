package org.hms.sync.simulator;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The changes the IIS made on its own side, oldest first. Each change's {@code updatedAt} is later
 * than the one before (by a nanosecond when the clock has not moved), so paging by {@code
 * updatedSince} (exclusive) never skips or repeats a change.
 */
final class ChangeFeed {

  /** One page: the changes and whether more follow after the last of them. */
  record Page(List<SimChange> changes, boolean more) {}

  private final Clock clock;
  private final List<SimChange> changes;
  private long lastNumber;
  private Instant lastAt;

  ChangeFeed(Clock clock) {
    this.clock = clock;
    this.changes = new ArrayList<>();
    this.lastAt = Instant.MIN;
  }

  /** Builds the change from its id and time, and appends it; atomic with respect to readers. */
  synchronized SimChange append(Function<Stamp, SimChange> change) {
    Instant now = clock.instant();
    Instant at = now.isAfter(lastAt) ? now : lastAt.plusNanos(1);
    lastAt = at;
    lastNumber++;
    SimChange appended = change.apply(new Stamp("chg-" + lastNumber, at));
    changes.add(appended);
    return appended;
  }

  record Stamp(String changeId, Instant at) {}

  /** Changes with {@code updatedAt} after {@code since} (all when null), at most {@code limit}. */
  synchronized Page since(Instant since, int limit) {
    List<SimChange> after = new ArrayList<>();
    for (SimChange change : changes) {
      if (since == null || change.updatedAt().isAfter(since)) {
        after.add(change);
      }
    }
    return new Page(List.copyOf(after.subList(0, Math.min(limit, after.size()))), after.size() > limit);
  }

  synchronized List<SimChange> all() {
    return List.copyOf(changes);
  }

  /** Forgets the changes; ids keep counting and times keep increasing. */
  synchronized void clear() {
    changes.clear();
  }
}
