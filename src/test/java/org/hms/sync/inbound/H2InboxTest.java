package org.hms.sync.inbound;

import org.hms.sync.testing.TestDatabases;
import org.hms.sync.testing.TestDb;

class H2InboxTest extends InboxContractTest {
  @Override
  TestDb open() {
    return TestDatabases.h2();
  }
}
