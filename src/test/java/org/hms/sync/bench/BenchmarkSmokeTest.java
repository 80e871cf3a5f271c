package org.hms.sync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The benchmark still runs end to end on the shipped demo configuration (a tiny run; its figures
 * are not looked at: speed is measured by {@code hms-sync bench}, never asserted).
 */
class BenchmarkSmokeTest {
  @Test
  void a_tiny_benchmark_runs_through_every_phase_with_the_demo_configuration() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    new Benchmark(
            new Benchmark.Options(200, 100, 50, 8, 1, null, 100, 100),
            new PrintStream(out, true, StandardCharsets.UTF_8))
        .run();

    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("engine warm-up:", "raw baseline", "engine drain", "drain ratio",
            "  engine drain: ", "us CPU per unit in threads (", "engine live",
            "paced at 100 events/s: commit->ack p50", "over 50 events");
  }
}
