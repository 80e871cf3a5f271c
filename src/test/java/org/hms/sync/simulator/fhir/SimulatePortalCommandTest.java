package org.hms.sync.simulator.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SimulatePortalCommandTest {

  private static final Pattern BASE_URL = Pattern.compile("listening on (http://\\S+/fhir)");

  private final StringWriter err = new StringWriter();
  private final StringWriter out = new StringWriter();

  private CommandLine command() {
    CommandLine command = new CommandLine(new SimulatePortalCommand());
    command.setErr(new PrintWriter(err, true));
    command.setOut(new PrintWriter(out, true));
    return command;
  }

  @Test
  void port_out_of_range_is_refused() {
    assertThat(command().execute("--port", "70000")).isNotZero();
    assertThat(err.toString()).contains("--port").contains("70000");
  }

  @Test
  void help_describes_the_portal_and_its_port() {
    assertThat(command().execute("--help")).isZero();
    assertThat(out.toString()).contains("simulate-portal").contains("--port").contains("FHIR R4");
  }

  @Test
  void it_serves_fhir_at_the_printed_base_url_until_interrupted() throws Exception {
    AtomicInteger exitCode = new AtomicInteger(-1);
    Thread running =
        new Thread(() -> exitCode.set(command().execute("--port", "0")), "simulate-portal-test");
    running.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> BASE_URL.matcher(out.toString()).find());
    Matcher printed = BASE_URL.matcher(out.toString());
    assertThat(printed.find()).isTrue();
    URI appointments = URI.create(printed.group(1) + "/Appointment");
    HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> search =
        http.send(
            HttpRequest.newBuilder(appointments).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(search.statusCode()).isEqualTo(200);
    assertThat(search.body()).contains("\"resourceType\"").contains("Bundle");

    running.interrupt();
    running.join(Duration.ofSeconds(30).toMillis());
    assertThat(running.isAlive()).isFalse();
    assertThat(exitCode.get()).isZero();
    try {
      http.send(HttpRequest.newBuilder(appointments).build(), HttpResponse.BodyHandlers.ofString());
      throw new AssertionError("the portal still answers after the command ended");
    } catch (ConnectException closed) {
      // stopped listening, as it should
    }
  }
}
