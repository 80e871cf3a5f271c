package org.hms.sync.crash;

import java.nio.file.Path;

class H2ShutdownTest extends ShutdownContractTest {
  @Override
  String[] database(Path folder) {
    return new String[] {"jdbc:h2:file:" + folder.resolve("db/hms").toAbsolutePath(), "sa"};
  }
}
