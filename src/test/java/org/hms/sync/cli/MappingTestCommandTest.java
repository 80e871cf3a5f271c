package org.hms.sync.cli;

import org.hms.sync.launcher.Main;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hms-sync mapping test}: prints the request a connector would send, sends nothing. */
class MappingTestCommandTest {

  private static final String TOKEN = "s3cret-iis-token";
  private static final String CONFIG =
      String.join(
          "\n",
          "connectors:",
          "  - id: state-iis",
          "    type: rest",
          "    baseUrl: http://127.0.0.1:9/api",
          "    auth:",
          "      type: bearer",
          "      token: " + TOKEN,
          "    headers:",
          "      X-Facility-Id: county-clinic-12",
          "    routes:",
          "      appointment.created:",
          "        method: POST",
          "        path: /appointments",
          "        mapping: iis-appointment.jsonata",
          "        externalId: /id",
          "      appointment.rescheduled:",
          "        method: PUT",
          "        path: /appointments/{externalId}",
          "        mapping: iis-appointment.jsonata",
          "");
  private static final String MAPPING =
      String.join(
          "\n",
          "/* EMR appointment -> IIS appointment */",
          "{",
          "  \"appointmentId\": appointment.id,",
          "  \"slotTime\": appointment.start,",
          "  \"clinicCode\": appointment.location.code,",
          "  \"seq\": event.sequence",
          "}",
          "");

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalOut;
  private PrintStream originalErr;
  private Path config;
  private Path mapping;
  private Path createdEvent;

  @BeforeEach
  void writeFilesAndCaptureOutput() throws IOException {
    config = Files.writeString(dir.resolve("hms-sync.yaml"), CONFIG);
    mapping = Files.writeString(dir.resolve("iis-appointment.jsonata"), MAPPING);
    createdEvent =
        Files.copy(Path.of("examples/events/created.json"), dir.resolve("created.json"));
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreOutput() {
    System.setOut(originalOut);
    System.setErr(originalErr);
  }

  @Test
  void prints_the_request_the_connector_would_send() {
    int exitCode = mappingTest("state-iis", createdEvent);

    assertThat(exitCode).as("stderr: %s", stderr()).isZero();
    assertThat(stdout())
        .contains("POST http://127.0.0.1:9/api/appointments")
        .contains("Idempotency-Key: ")
        .contains("Content-Type: application/json")
        .contains("X-Facility-Id: county-clinic-12")
        .contains("\"appointmentId\" : \"0f6c2a4e-1b7d-4e8a-b3c5-9d2e7f1a6b80\"")
        .contains("\"slotTime\" : \"2027-03-01T09:00:00Z\"")
        .contains("\"clinicCode\" : \"CLINIC-12\"")
        .contains("\"seq\" : 1");
  }

  @Test
  void authorization_is_shown_masked_never_the_token() {
    int exitCode = mappingTest("state-iis", createdEvent);

    assertThat(exitCode).isZero();
    assertThat(stdout()).contains("Authorization: Bearer ***");
    assertThat(stdout() + stderr()).doesNotContain(TOKEN);
  }

  @Test
  void external_id_from_the_event_file_fills_the_path() throws IOException {
    Path rescheduled =
        Files.writeString(
            dir.resolve("rescheduled.json"),
            Files.readString(createdEvent)
                .replace("appointment.created", "appointment.rescheduled")
                .replace("\"externalId\": null", "\"externalId\": \"iis-42\""));

    int exitCode = mappingTest("state-iis", rescheduled);

    assertThat(exitCode).as("stderr: %s", stderr()).isZero();
    assertThat(stdout()).contains("PUT http://127.0.0.1:9/api/appointments/iis-42");
  }

  @Test
  void event_type_without_a_route_sends_nothing() throws IOException {
    Path cancelled =
        Files.writeString(
            dir.resolve("cancelled.json"),
            Files.readString(createdEvent).replace("appointment.created", "appointment.cancelled"));

    int exitCode = mappingTest("state-iis", cancelled);

    assertThat(exitCode).isZero();
    assertThat(stdout()).contains("no route for appointment.cancelled").contains("nothing would be sent");
  }

  @Test
  void unknown_connector_fails_and_lists_the_configured_ones() {
    int exitCode = mappingTest("county-iis", createdEvent);

    assertThat(exitCode).isNotZero();
    assertThat(stderr()).contains("county-iis").contains("state-iis");
    assertThat(stdout()).doesNotContain("POST ");
  }

  @Test
  void broken_mapping_fails_and_names_the_file() throws IOException {
    Files.writeString(mapping, "{\n  \"clinicCode\": appointment.location.code,\n  \"slotTime\": ]\n}\n");

    int exitCode = mappingTest("state-iis", createdEvent);

    assertThat(exitCode).isNotZero();
    assertThat(stderr()).contains("iis-appointment.jsonata").contains("line 3");
    assertThat(stdout()).doesNotContain("POST ");
  }

  @Test
  void missing_event_file_fails_and_names_it() {
    Path missing = dir.resolve("no-such-event.json");

    int exitCode = mappingTest("state-iis", missing);

    assertThat(exitCode).isNotZero();
    assertThat(stderr()).contains("no-such-event.json");
  }

  @Test
  void a_graphql_connector_shows_the_document_and_the_variables() {
    config = Path.of("examples/graphql/hms-sync.yaml");

    int exitCode = mappingTest("registry", createdEvent);

    assertThat(exitCode).as("stderr: %s", stderr()).isZero();
    assertThat(stdout())
        .contains("POST http://127.0.0.1:9092/graphql")
        .contains("Authorization: Bearer ***")
        .contains("mutation CreateAppointment($input: CreateAppointmentInput!)")
        .contains("# variables from ")
        .contains("\"emrAppointmentId\" : \"0f6c2a4e-1b7d-4e8a-b3c5-9d2e7f1a6b80\"");
    assertThat(stdout()).doesNotContain("demo-registry-token");
  }

  @Test
  void an_iis_soap_connector_shows_the_envelope_and_the_hl7_message_by_segment() {
    config = Path.of("examples/iis-soap/hms-sync.yaml");

    int exitCode = mappingTest("state-iis-soap", Path.of("examples/events/completed.json"));

    assertThat(exitCode).as("stderr: %s", stderr()).isZero();
    assertThat(stdout())
        .contains("POST http://127.0.0.1:9090/iis-soap")
        .contains("<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\">")
        .contains("<iis:submitSingleMessage xmlns:iis=\"urn:cdc:iisb:2011\">")
        .contains("<iis:password>***</iis:password>")
        .containsPattern("(?m)^MSH\\|\\^~\\\\&\\|HMS-SYNC\\|CLINIC-12\\|.*\\|VXU\\^V04\\^VXU_V04\\|")
        .containsPattern("(?m)^ORC\\|RE\\|\\|0f6c2a4e-1b7d-4e8a-b3c5-9d2e7f1a6b80")
        .containsPattern("(?m)^RXA\\|.*\\|208\\^\\^CVX\\|.*\\|EK5730\\|.*\\|CP\\|A$");
    assertThat(stdout()).doesNotContain("demo-iis-password");
  }

  @Test
  void a_fhir_connector_shows_the_conditional_create_and_the_resource() {
    config = Path.of("examples/fhir/hms-sync.yaml");

    int exitCode = mappingTest("county-portal", createdEvent);

    assertThat(exitCode).as("stderr: %s", stderr()).isZero();
    assertThat(stdout())
        .contains("POST http://127.0.0.1:9091/fhir/Appointment")
        .contains(
            "If-None-Exist: identifier=urn:hms-sync:appointment|"
                + "0f6c2a4e-1b7d-4e8a-b3c5-9d2e7f1a6b80")
        .contains("\"resourceType\" : \"Appointment\"")
        .contains("\"status\" : \"booked\"");
    assertThat(stdout()).doesNotContain("demo-portal-token");
  }

  private int mappingTest(String connector, Path event) {
    return Main.run(
        "mapping",
        "test",
        "--config",
        config.toString(),
        "--connector",
        connector,
        "--event",
        event.toString());
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }
}
