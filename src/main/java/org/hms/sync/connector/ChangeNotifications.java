package org.hms.sync.connector;

/**
 * A connector whose external system can notify this service of changes (e.g. a FHIR rest-hook
 * {@code Subscription}), so that its poller is woken at once instead of at the next interval.
 * Notifications only hasten polling: correctness never depends on them.
 */
public interface ChangeNotifications {
  /**
   * Makes sure the external system has our subscription as configured: creates it when missing,
   * repairs it when it differs (or was switched off), leaves it alone otherwise. Idempotent; safe
   * to run from several processes at once. Blocks for the calls it makes, each bounded by the
   * connector's timeouts.
   *
   * @return what was done, for the log (ids, never the secret)
   * @throws org.hms.sync.SyncException when the system cannot be reached or refuses
   */
  String subscribe();

  /**
   * Removes our subscription from the external system, if it has one. Idempotent.
   *
   * @return what was done, for the log
   * @throws org.hms.sync.SyncException when the system cannot be reached or refuses
   */
  String unsubscribe();
}
