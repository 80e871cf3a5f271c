package org.hms.sync.http;

import java.net.URI;
import java.nio.file.Path;

class PostgresApiInputTest extends ApiInputContract {
  @Override
  RunningSync start(Path dir, URI iisBaseUrl) {
    return RunningSync.startOnPostgres(dir, iisBaseUrl);
  }
}
