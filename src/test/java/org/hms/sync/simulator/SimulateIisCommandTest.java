package org.hms.sync.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;

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
  void the_start_up_lines_name_the_change_routes_with_their_placeholders() {
    String line =
        SimulateIisCommand.changesLine(
            java.net.URI.create("http://127.0.0.1:8089/api"), SimulatorOptions.defaults());

    assertThat(line)
        .contains("POST http://127.0.0.1:8089/sim/appointments/{id}/reschedule")
        .contains("GET http://127.0.0.1:8089/api/changes?updatedSince=...&limit=N");
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

  @Test
  void webhook_url_and_secret_become_simulator_options() {
    SimulateIisCommand command = new SimulateIisCommand();
    new CommandLine(command)
        .parseArgs(
            "--webhook-url", "http://127.0.0.1:8080/webhooks/state-iis",
            "--webhook-secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

    SimulatorOptions options = command.options();

    assertThat(options.webhookUrl()).hasToString("http://127.0.0.1:8080/webhooks/state-iis");
    assertThat(options.webhookSecret()).isEqualTo("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    assertThat(options.toString()).doesNotContain("MfKQ9r8G");
  }

  @Test
  void a_webhook_url_without_a_secret_is_refused() {
    SimulateIisCommand command = new SimulateIisCommand();
    CommandLine line = new CommandLine(command);
    line.parseArgs("--webhook-url", "http://127.0.0.1:8080/webhooks/state-iis", "--webhook-secret", "");

    assertThatThrownBy(command::options)
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--webhook-url needs --webhook-secret")
        .hasMessageContaining("HMS_SIM_WEBHOOK_SECRET");
  }

  @Test
  void a_webhook_secret_that_is_not_whsec_base64_is_refused_without_echoing_it() {
    assertThat(run("--webhook-url", "http://127.0.0.1:8080/webhooks/state-iis", "--webhook-secret", "hunter2-secret")).isNotZero();
    assertThat(err.toString()).contains("--webhook-secret").contains("whsec_").doesNotContain("hunter2");
  }

  @Test
  void help_lists_the_webhook_options() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("--webhook-url").contains("--webhook-secret").contains("HMS_SIM_WEBHOOK_SECRET");
  }
}
