package org.hms.sync.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SyncAppTest {
  @Test
  void only_an_embedded_h2_database_has_its_leases_freed_at_start() {
    assertThat(SyncApp.ownsDatabaseFile("jdbc:h2:file:./data/hms-sync")).isTrue();
    assertThat(SyncApp.ownsDatabaseFile("jdbc:h2:./data/hms-sync")).isTrue();
    assertThat(SyncApp.ownsDatabaseFile("jdbc:h2:mem:x;DB_CLOSE_DELAY=-1")).isTrue();
    assertThat(SyncApp.ownsDatabaseFile("jdbc:h2:file:./x;AUTO_SERVER=TRUE")).isFalse();
    assertThat(SyncApp.ownsDatabaseFile("jdbc:h2:tcp://db/x")).isFalse();
    assertThat(SyncApp.ownsDatabaseFile("jdbc:postgresql://127.0.0.1/test")).isFalse();
  }
}
