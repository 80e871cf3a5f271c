package org.hms.sync.inbound.poll;

import org.hms.sync.testing.TestDatabases;
import org.hms.sync.testing.TestDb;

class PostgresHostileFeedTest extends HostileFeedContractTest {
  @Override
  TestDb open() {
    return TestDatabases.postgres();
  }
}
