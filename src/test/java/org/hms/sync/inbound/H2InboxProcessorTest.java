package org.hms.sync.inbound;

import org.hms.sync.testing.TestDatabases;
import org.hms.sync.testing.TestDb;

class H2InboxProcessorTest extends InboxProcessorContractTest {
  @Override
  TestDb open() {
    return TestDatabases.h2();
  }
}
