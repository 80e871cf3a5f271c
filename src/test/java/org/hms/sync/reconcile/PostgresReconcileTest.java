package org.hms.sync.reconcile;

import org.hms.sync.testing.TestDatabases;
import org.hms.sync.testing.TestDb;

class PostgresReconcileTest extends ReconcileContractTest {
  @Override
  TestDb database() {
    return TestDatabases.postgres();
  }
}
