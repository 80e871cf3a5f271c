package org.hms.sync.simulator;

import java.util.Collection;

/**
 * Counts over the ledger, and the records held.
 *
 * @param rejected requests answered with a 4xx or 5xx status
 * @param vaccinations immunization records the SOAP service holds, deleted ones included
 */
record SimStats(
    long requests,
    long applied,
    long replayed,
    long rejected,
    int appointments,
    int vaccinations,
    boolean down) {

  static SimStats of(
      Collection<LedgerEntry> ledger, int appointments, int vaccinations, boolean down) {
    long requests = 0;
    long applied = 0;
    long replayed = 0;
    long rejected = 0;
    for (LedgerEntry entry : ledger) {
      requests++;
      applied += entry.applied() ? 1 : 0;
      replayed += entry.replayed() ? 1 : 0;
      rejected += entry.status() >= 400 ? 1 : 0;
    }
    return new SimStats(requests, applied, replayed, rejected, appointments, vaccinations, down);
  }
}
