package org.hms.sync.inbound;

import org.hms.sync.testing.TestDatabases;
import org.hms.sync.testing.TestDb;

class PostgresInboxProcessorTest extends InboxProcessorContractTest {
  @Override
  TestDb open() {
    return TestDatabases.postgres();
  }
}
