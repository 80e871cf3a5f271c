package org.hms.sync.scheduling;

import org.hms.sync.testing.TestDatabases;
import org.hms.sync.testing.TestDb;

class PostgresSchedulingTest extends SchedulingContractTest {
  @Override
  TestDb open() {
    return TestDatabases.postgres();
  }
}
