package org.hms.sync.reconcile;

import org.hms.sync.testing.TestDatabases;
import org.hms.sync.testing.TestDb;

class H2ReconcileTest extends ReconcileContractTest {
  @Override
  TestDb database() {
    return TestDatabases.h2();
  }
}
