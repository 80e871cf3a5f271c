package org.hms.sync.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * On two cores the JDK gives the common pool a parallelism of one, and every {@code sendAsync} of
 * the JDK HttpClient then starts a thread of its own. The command line widens the pool first.
 */
class CommonPoolTest {
  @Test
  void on_two_cores_the_jdk_alone_would_start_a_thread_per_asynchronous_step() throws Exception {
    assertThat(probe("--as-the-jdk-would")).isEqualTo("1 ThreadPerTaskExecutor");
  }

  @Test
  void the_command_line_keeps_asynchronous_steps_on_the_common_pool_on_two_cores()
      throws Exception {
    assertThat(probe()).isEqualTo("2 ForkJoinPool");
  }

  @Test
  void an_explicit_setting_of_the_parallelism_wins() throws Exception {
    assertThat(probe("-Djava.util.concurrent.ForkJoinPool.common.parallelism=3"))
        .isEqualTo("3 ForkJoinPool");
  }

  /** Runs {@link CommonPoolProbe} in a JVM that sees two processors; returns what it printed. */
  private static String probe(String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:ActiveProcessorCount=2");
    List<String> probeArguments = new ArrayList<>();
    for (String argument : arguments) {
      (argument.startsWith("-D") ? command : probeArguments).add(argument);
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(CommonPoolProbe.class.getName());
    command.addAll(probeArguments);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
    // The last line: a JVM may print notices first (e.g. "Picked up JAVA_TOOL_OPTIONS").
    String[] lines = output.strip().split("\\R");
    return lines[lines.length - 1].strip();
  }
}
