package org.hms.sync.simulator;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every answered {@code /api} request, ordered by arrival. A position is taken when the request
 * arrives and the entry is added when it is answered, so a request still waiting out its latency
 * is not listed yet.
 */
final class Ledger {

  private final AtomicLong lastPosition;
  private final ConcurrentSkipListMap<Long, LedgerEntry> entries;

  Ledger() {
    this.lastPosition = new AtomicLong();
    this.entries = new ConcurrentSkipListMap<>();
  }

  /** Positions keep counting after {@link #clear()}; they are never reused. */
  long nextPosition() {
    return lastPosition.incrementAndGet();
  }

  void record(LedgerEntry entry) {
    entries.put(entry.position(), entry);
  }

  List<LedgerEntry> snapshot() {
    return List.copyOf(entries.values());
  }

  /** A live, read-only view for counting without copying. */
  Collection<LedgerEntry> view() {
    return Collections.unmodifiableCollection(entries.values());
  }

  void clear() {
    entries.clear();
  }
}
