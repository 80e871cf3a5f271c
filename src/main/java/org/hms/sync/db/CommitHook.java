package org.hms.sync.db;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * More work that must commit with a change or not at all, run last in the change's transaction
 * with its result: e.g. the answer to an {@code Idempotency-Key}, stored with the booking it
 * reports. Like all transactional work it may run more than once (the transaction is retried on
 * deadlock), so it must only write through the connection.
 */
@FunctionalInterface
public interface CommitHook<T> {
  void beforeCommit(Connection connection, T result) throws SQLException;

  /** Nothing more to do. */
  static <T> CommitHook<T> none() {
    return (connection, result) -> {};
  }
}
