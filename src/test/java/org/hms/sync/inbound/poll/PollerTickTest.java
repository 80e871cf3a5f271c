package org.hms.sync.inbound.poll;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.hms.sync.config.ConflictPolicy;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.InboundConfig;
import org.hms.sync.config.PollConfig;
import org.junit.jupiter.api.Test;

/** How often the poller looks for due connectors: a poll starts at most a quarter late. */
class PollerTickTest {
  @Test
  void the_loop_looks_four_times_per_shortest_interval_between_a_twentieth_and_one_second() {
    assertThat(Poller.tickFor(List.of())).isEqualTo(Duration.ofSeconds(1));
    assertThat(Poller.tickFor(List.of(polling("a", "30s"), polling("b", "2s"))))
        .isEqualTo(Duration.ofMillis(500));
    assertThat(Poller.tickFor(List.of(polling("a", "100ms")))).isEqualTo(Duration.ofMillis(50));
  }

  private static ConnectorConfig polling(String id, String interval) {
    PollConfig poll =
        new PollConfig(
            "/changes", org.hms.sync.config.Durations.parse(interval), "updatedSince", "", null,
            null, null, Path.of("/tmp/poll.jsonata"), null, 10);
    return new ConnectorConfig(
        id, "rest", URI.create("http://127.0.0.1:9/api"), null, null, null, null, null, null,
        null, null, null, new InboundConfig(null, ConflictPolicy.REVIEW, poll), null, null);
  }
}
