package org.hms.sync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import org.hms.sync.app.SyncApp;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.launcher.Main;
import org.hms.sync.scheduling.Appointment;
import org.hms.sync.scheduling.Location;
import org.hms.sync.scheduling.Patient;
import org.hms.sync.simulator.IisSimulator;
import org.hms.sync.simulator.SimulatorOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hms-sync reconcile}: the table, the exit codes, the argument checks. */
class ReconcileCommandTest {
  private static final Path DEMO = Path.of("examples/demo").toAbsolutePath();

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalOut;
  private PrintStream originalErr;
  private IisSimulator iis;
  private Path config;

  @BeforeEach
  void start() throws IOException {
    iis = IisSimulator.start(SimulatorOptions.defaults());
    config =
        Files.writeString(
            dir.resolve("hms-sync.yaml"),
            """
            database:
              url: "jdbc:h2:file:%s"
            connectors:
              - id: state-iis
                type: rest
                baseUrl: %s
                routes:
                  list:
                    path: /appointments?from={from}&to={to}
                    items: /items
                    mapping: %s/iis-list.jsonata
            """
                .formatted(dir.resolve("db/hms").toAbsolutePath(), iis.baseUrl(), DEMO));
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void stop() {
    System.setOut(originalOut);
    System.setErr(originalErr);
    iis.close();
  }

  private int reconcile(String... extra) {
    String[] args = new String[6 + extra.length];
    args[0] = "reconcile";
    args[1] = "--config";
    args[2] = config.toString();
    args[3] = "--connector";
    args[4] = "state-iis";
    args[5] = "--from=2027-03-01";
    System.arraycopy(extra, 0, args, 6, extra.length);
    return Main.commandLine().execute(args);
  }

  @Test
  void drift_is_printed_as_a_table_and_exits_3_and_a_calm_range_exits_0() {
    Appointment appointment;
    try (SyncApp app = SyncApp.create(ConfigLoader.load(config, Map.of()))) {
      Location clinic = app.scheduling().createLocation("CLINIC-A", "Clinic A");
      Patient patient =
          app.scheduling().createPatient("MRN-1", "Ada", "Lovelace", LocalDate.of(1990, 1, 1));
      Instant nine = Instant.parse("2027-03-01T09:00:00Z");
      appointment =
          app.scheduling().book(
              patient.id(),
              app.scheduling().createSlot(clinic.id(), nine, nine.plusSeconds(900), 1).id(),
              null);
    }

    int drift = reconcile("--to=2027-03-01");

    assertThat(drift).as("stderr: %s", err).isEqualTo(3);
    String table = out.toString(StandardCharsets.UTF_8);
    assertThat(table)
        .contains("2027-03-01T00:00:00Z .. 2027-03-02T00:00:00Z")
        .contains("EMR 1, external 0: 0 in sync, 1 drift (1 missing at external")
        .contains("KIND", "APPOINTMENT", "TRUTH")
        .contains("missing at external")
        .contains(appointment.id())
        .doesNotContain("MRN-1", "Lovelace");

    out.reset();
    assertThat(reconcile("--to=2027-03-01T00:00:01Z")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("EMR 0, external 0: 0 in sync, 0 drift");
  }

  @Test
  void a_bad_date_or_an_unknown_connector_is_a_usage_error() {
    assertThat(reconcile("--to=next-week")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--to 'next-week' is neither a date");

    err.reset();
    int unknown =
        Main.commandLine()
            .execute("reconcile", "--config", config.toString(), "--connector", "nope",
                "--from=2027-03-01", "--to=2027-03-02");
    assertThat(unknown).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("no connector 'nope'");
  }
}
