package org.hms.sync.delivery;

import org.hms.sync.testing.TestDatabases;
import org.hms.sync.testing.TestDb;

class H2DeliveryEngineTest extends DeliveryEngineContractTest {
  @Override
  TestDb open() {
    return TestDatabases.h2();
  }
}
