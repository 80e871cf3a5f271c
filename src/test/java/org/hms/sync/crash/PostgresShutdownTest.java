package org.hms.sync.crash;

import java.nio.file.Path;
import org.hms.sync.testing.TestDatabases;
import org.hms.sync.testing.TestDb;
import org.junit.jupiter.api.AfterEach;

class PostgresShutdownTest extends ShutdownContractTest {
  private TestDb schema;

  @Override
  String[] database(Path folder) {
    schema = TestDatabases.postgres();
    return new String[] {schema.url(), schema.user()};
  }

  @AfterEach
  void dropSchema() {
    if (schema != null) {
      schema.close();
    }
  }
}
