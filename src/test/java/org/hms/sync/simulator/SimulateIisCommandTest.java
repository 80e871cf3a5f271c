package org.hms.sync.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.hms.sync.cli.SimulateIisCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SimulateIisCommandTest {

  private final StringWriter err = new StringWriter();
  private final StringWriter out = new StringWriter();

  private int run(String... args) {
    CommandLine command = new CommandLine(new SimulateIisCommand());
    command.setErr(new PrintWriter(err, true));
    command.setOut(new PrintWriter(out, true));
    return command.execute(args);
  }

  @Test
  void fail_rate_above_one_is_refused() {
    int exitCode = run("--fail-rate", "1.5");

    assertThat(exitCode).isNotZero();
    assertThat(err.toString()).contains("--fail-rate must be between 0 and 1").contains("1.5");
  }

  @Test
  void negative_latency_is_refused() {
    assertThat(run("--latency-ms", "-5")).isNotZero();
    assertThat(err.toString()).contains("--latency-ms");
  }

  @Test
  void port_out_of_range_is_refused() {
    assertThat(run("--port", "70000")).isNotZero();
    assertThat(err.toString()).contains("--port").contains("70000");
  }

  @Test
  void down_for_without_a_unit_is_refused() {
    assertThat(run("--down-for", "10")).isNotZero();
    assertThat(err.toString()).contains("--down-for").contains("250ms");
  }

  @Test
  void help_lists_the_options() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString())
        .contains("simulate-iis")
        .contains("--fail-rate")
        .contains("--latency-ms")
        .contains("--down-for")
        .contains("--token")
        .contains("HMS_SIM_TOKEN")
        .contains("/iis-soap")
        .contains("--soap-username")
        .contains("--soap-password");
  }

  @Test
  void a_soap_username_without_a_password_is_refused() {
    assertThat(run("--soap-username", "clinic-user", "--soap-password", "")).isNotZero();
    assertThat(err.toString()).contains("--soap-username and --soap-password").contains("both");
  }
}
