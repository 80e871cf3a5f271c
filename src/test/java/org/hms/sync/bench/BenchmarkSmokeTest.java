package org.hms.sync.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
            new Benchmark.Options(200, 100, 50, 8, 1, null, 100, 100, 2),
            new PrintStream(out, true, StandardCharsets.UTF_8))
        .run();

    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("engine warm-up:", "raw baseline", "engine drain", "drain ratio",
            "  round 1 drain: ", "  round 2 raw: ", "  round 2 drain: ",
            "us CPU per unit in threads (", "engine live",
            "paced at 100 events/s: commit->ack p50", "over 50 events");
  }

  @Test
  void cpu_lines_count_context_switches_and_the_kernel_share_on_linux() {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux /proc");
    CpuUse start = CpuUse.now();
    double sink = 0;
    // Busy for 300 ms, so the process gathers CPU ticks (10 ms each) to split into user and kernel.
    for (long until = System.nanoTime() + 300_000_000L; System.nanoTime() < until; ) {
      sink += Math.sqrt((until & 0xffff) + 1);
    }

    String line = start.describe(10, 3);

    assertThat(sink).isPositive();
    assertThat(line).containsPattern("; [0-9.]+ context switches per unit")
        .containsPattern("; [0-9]+% in the kernel");
  }

  @Test
  void a_thread_ending_during_the_phase_does_not_make_the_switch_count_negative() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux /proc");
    CountDownLatch switched = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Thread busy =
        new Thread(
            () -> {
              try {
                for (int i = 0; i < 200; i++) {
                  Thread.sleep(1); // each sleep is a context switch of this thread
                }
                switched.countDown();
                finish.await();
              } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
              }
            });
    busy.start();
    assertThat(switched.await(30, TimeUnit.SECONDS)).isTrue();
    CpuUse start = CpuUse.now();
    finish.countDown();
    busy.join();

    String line = start.describe(1, 3);

    // The ended thread's 200 switches were in the starting figure and are gone from the final one.
    assertThat(line).containsPattern("; [0-9.]+ context switches per unit");
  }

  @Test
  void cpu_lines_count_the_bytes_the_phase_allocated() {
    CpuUse start = CpuUse.now();
    long kept = 0;
    for (int i = 0; i < 10_240; i++) {
      byte[] block = new byte[1024]; // 10 MB in all: 1,024 KB for each of 10 units
      block[i % block.length] = 1;
      kept += block[i % block.length];
    }

    String line = start.describe(10, 3);

    assertThat(kept).isEqualTo(10_240);
    Matcher allocated = Pattern.compile(", ([0-9.]+) KB allocated per unit").matcher(line);
    assertThat(allocated.find()).as(line).isTrue();
    assertThat(Double.parseDouble(allocated.group(1))).isGreaterThanOrEqualTo(1024.0);
  }
}
