package org.hms.sync.http;

import java.net.URI;
import java.nio.file.Path;

class H2IdempotencyKeyTest extends IdempotencyKeyContract {
  @Override
  RunningSync start(Path dir, URI iisBaseUrl) {
    return RunningSync.start(dir, iisBaseUrl);
  }
}
