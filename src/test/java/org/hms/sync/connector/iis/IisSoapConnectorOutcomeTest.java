package org.hms.sync.connector.iis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hms.sync.connector.iis.IisConnectors.PHI;
import static org.hms.sync.connector.iis.IisConnectors.completedEvent;
import static org.hms.sync.connector.iis.IisConnectors.connector;
import static org.hms.sync.connector.iis.IisConnectors.logged;
import static org.hms.sync.connector.iis.IisConnectors.push;
import static org.hms.sync.connector.iis.IisConnectors.request;
import static org.hms.sync.connector.iis.IisTestServer.ack;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.hms.sync.config.TimeoutsConfig;
import org.hms.sync.connector.iis.IisTestServer.Issue;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.OutboxEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * How the iis-soap connector judges every answer of a registry: the stand-in server is generated
 * from the CDC WSDL and builds its ACKs with HAPI from the VXU it received.
 */
class IisSoapConnectorOutcomeTest {
  private IisTestServer registry;
  private IisSoapConnector connector;

  @BeforeEach
  void start() {
    registry = IisTestServer.start();
    connector = connector(registry.uri());
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  @Test
  void an_accepted_vxu_is_a_success_whose_external_id_is_the_vaccination_id() {
    registry.answer(received -> ack(received, "AA"));

    PushResult result = push(connector, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    PushResult.Success success = (PushResult.Success) result;
    assertThat(success.httpStatus()).isEqualTo(200);
    assertThat(success.externalId()).isEqualTo(SampleEvents.APPOINTMENT_ID);
    assertThat(success.note()).contains("MSA-1 AA", "RXA-21 A").doesNotContain("warning");
  }

  @Test
  void the_registry_receives_the_credentials_and_a_z22_vxu_with_the_dose() throws Exception {
    push(connector, request(completedEvent(), null));

    IisTestServer.Received received = registry.lastReceived();
    assertThat(received.username()).isEqualTo("clinic-user");
    assertThat(received.password()).isEqualTo(IisConnectors.PASSWORD);
    assertThat(received.facilityId()).isEqualTo("FAC-12");
    assertThat(received.hl7Message()).contains("\r").doesNotContain("\n");
    var vxu = received.vxu();
    assertThat(vxu.get("/MSH-9-1")).isEqualTo("VXU");
    assertThat(vxu.get("/MSH-9-2")).isEqualTo("V04");
    assertThat(vxu.get("/MSH-9-3")).isEqualTo("VXU_V04");
    assertThat(vxu.get("/MSH-12")).isEqualTo("2.5.1");
    assertThat(vxu.get("/MSH-15")).isEqualTo("ER");
    assertThat(vxu.get("/MSH-16")).isEqualTo("AL");
    assertThat(vxu.get("/MSH-21-1")).isEqualTo("Z22");
    assertThat(vxu.get("/MSH-21-2")).isEqualTo("CDCPHINVS");
    assertThat(vxu.get("/MSH-4")).isEqualTo("CLINIC-0042");
    assertThat(vxu.get("/MSH-11")).isEqualTo("T");
    assertThat(vxu.get("/PID-3-1")).isEqualTo(SampleEvents.PATIENT_MRN);
    assertThat(vxu.get("/PID-3-4")).isEqualTo("HMS");
    assertThat(vxu.get("/PID-5-1")).isEqualTo(SampleEvents.PATIENT_FAMILY_NAME);
    assertThat(vxu.get("/PID-7")).isEqualTo("19800101");
    assertThat(vxu.get("/ORDER/ORC-3-1")).isEqualTo(SampleEvents.APPOINTMENT_ID);
    assertThat(vxu.get("/ORDER/RXA-3")).isEqualTo("20270301090700+0000");
    assertThat(vxu.get("/ORDER/RXA-5-1")).isEqualTo("208");
    assertThat(vxu.get("/ORDER/RXA-5-3")).isEqualTo("CVX");
    assertThat(vxu.get("/ORDER/RXA-6")).isEqualTo("0.3");
    assertThat(vxu.get("/ORDER/RXA-7-1")).isEqualTo("mL");
    assertThat(vxu.get("/ORDER/RXA-11-4")).isEqualTo(SampleEvents.CLINIC_CODE);
    assertThat(vxu.get("/ORDER/RXA-15")).isEqualTo("EK5730");
    // "Pfizer" is a name, not an MVX code: sent as text only.
    assertThat(vxu.get("/ORDER/RXA-17-1")).isNull();
    assertThat(vxu.get("/ORDER/RXA-17-2")).isEqualTo("Pfizer");
    assertThat(vxu.get("/ORDER/RXA-20")).isEqualTo("CP");
    assertThat(vxu.get("/ORDER/RXA-21")).isEqualTo("A");
    assertThat(vxu.get("/ORDER/RXR-1-1")).isEqualTo("IM");
    assertThat(vxu.get("/ORDER/RXR-2-1")).isEqualTo("LA");
  }

  @Test
  void a_name_outside_ascii_reaches_the_registry_intact_with_msh_18_unicode_utf_8()
      throws Exception {
    OutboxEvent event = completedEvent();
    OutboxEvent accented =
        new OutboxEvent(
            event.id(), event.appointmentId(), event.sequence(), event.type(), event.occurredAt(),
            event.origin(),
            event.payload().replace(SampleEvents.PATIENT_GIVEN_NAME, "Ad\u00e1\u0119ze"));

    PushResult result = push(connector, request(accented, null));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    var vxu = registry.lastReceived().vxu();
    assertThat(vxu.get("/MSH-18")).isEqualTo("UNICODE UTF-8");
    assertThat(vxu.get("/PID-5-2")).isEqualTo("Ad\u00e1\u0119ze");
  }

  @Test
  void a_line_break_in_a_value_reaches_the_registry_as_one_byte_hex_escapes() throws Exception {
    OutboxEvent event = completedEvent();
    OutboxEvent multiline =
        new OutboxEvent(
            event.id(), event.appointmentId(), event.sequence(), event.type(), event.occurredAt(),
            event.origin(), event.payload().replace("\"EK5730\"", "\"EK5730\\r\\nB\""));

    PushResult result = push(connector, request(multiline, null));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    IisTestServer.Received received = registry.lastReceived();
    assertThat(received.hl7Message()).contains("|EK5730\\X0D\\\\X0A\\B|");
    assertThat(received.vxu().get("/MSH-18")).isNull();
    assertThat(received.vxu().get("/ORDER/RXA-15")).isEqualTo("EK5730\\X0D\\\\X0A\\B");
  }

  @Test
  void warnings_of_an_accepted_vxu_are_listed_in_the_note_without_phi() {
    registry.answer(
        received ->
            ack(
                received,
                "AA",
                new Issue(
                    "RXA", 17, "103", "Table value not found", "W",
                    "Manufacturer not recognized; ignored")));

    PushResult result = push(connector, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    assertThat(((PushResult.Success) result).note())
        .contains("1 ERR warning", "RXA-17", "103^Table value not found", "(WARNING)")
        .contains("Manufacturer not recognized")
        .doesNotContain(PHI);
  }

  @Test
  void an_application_error_is_permanent_and_shows_each_err_location_code_severity_and_message() {
    registry.answer(
        received ->
            ack(
                received,
                "AE",
                new Issue("RXA", 5, "103", "Table value not found", "E", "Unknown CVX code"),
                new Issue("RXA", 15, "101", "Required field missing", "W", "Lot is required")));

    PushResult result = push(connector, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    PushResult.Permanent permanent = (PushResult.Permanent) result;
    assertThat(permanent.errorClass()).isEqualTo("AckRejected");
    assertThat(permanent.reason())
        .contains("MSA-1 AE")
        .contains("RXA-5 103^Table value not found (ERROR): Unknown CVX code")
        .contains("RXA-15 101^Required field missing (WARNING): Lot is required")
        .contains("replay")
        .doesNotContain(PHI);
  }

  @Test
  void an_application_reject_is_retryable() {
    registry.answer(
        received ->
            ack(
                received,
                "AR",
                new Issue("MSH", 1, "207", "Application internal error", "E", "Try later")));

    PushResult result = push(connector, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Retryable.class);
    PushResult.Retryable retryable = (PushResult.Retryable) result;
    assertThat(retryable.errorClass()).isEqualTo("AckRefused");
    assertThat(retryable.reason()).contains("MSA-1 AR", "207^Application internal error");
  }

  @Test
  void an_empty_ack_is_retryable() {
    registry.answer(received -> "");

    PushResult result = push(connector, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Retryable.class);
    assertThat(((PushResult.Retryable) result).errorClass()).isEqualTo("AckUnreadable");
    assertThat(((PushResult.Retryable) result).reason()).contains("empty");
  }

  @Test
  void a_garbled_ack_is_retryable_and_not_quoted() {
    registry.answer(received -> "<html>Okonkwo 503 gateway</html>");

    PushResult result = push(connector, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Retryable.class);
    assertThat(((PushResult.Retryable) result).reason())
        .contains("not an HL7 v2 message")
        .doesNotContain(SampleEvents.PATIENT_FAMILY_NAME);
  }

  /**
   * An ACK of another message says nothing about ours: whether the registry took the dose is
   * unknown, and sending it again is safe (same ORC-3), so it is retryable; the engine's retry
   * budget dead-letters it if the registry keeps doing so.
   */
  @Test
  void an_ack_whose_msa_2_does_not_echo_our_control_id_is_retryable() {
    registry.answer(received -> ack(received, "AA", "SOMEONE-ELSES-1"));

    PushResult result = push(connector, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Retryable.class);
    assertThat(((PushResult.Retryable) result).reason())
        .contains("MSA-2 is 'SOMEONE-ELSES-1'")
        .contains(IisSoapConnector.controlId("delivery-event-3", 1));
  }

  @Test
  void a_security_fault_is_permanent_and_names_what_to_fix_without_the_password() {
    registry.answer(IisTestServer.securityFault());

    PushResult result = push(connector, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    PushResult.Permanent permanent = (PushResult.Permanent) result;
    assertThat(permanent.errorClass()).isEqualTo("SecurityFault");
    assertThat(permanent.reason())
        .contains("Invalid username or password", "iis.password")
        .doesNotContain(IisConnectors.PASSWORD);
  }

  @Test
  void security_faults_alert_once_until_the_registry_accepts_the_credentials_again() {
    Logger logger = (Logger) LoggerFactory.getLogger(IisSoapConnector.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    try {
      registry.answer(IisTestServer.securityFault());
      push(connector, request(completedEvent(), null));
      push(connector, request(completedEvent(), null, 2));
      registry.answer(received -> ack(received, "AA"));
      push(connector, request(completedEvent(), null, 3));

      assertThat(lines.list).hasSize(2);
      assertThat(lines.list.get(0).getLevel()).isEqualTo(Level.ERROR);
      assertThat(lines.list.get(0).getFormattedMessage())
          .contains("state-iis", "refused our credentials");
      assertThat(lines.list.get(1).getLevel()).isEqualTo(Level.INFO);
      assertThat(lines.list.get(1).getFormattedMessage()).contains("accepts our credentials again");
      assertThat(lines.list)
          .extracting(ILoggingEvent::getFormattedMessage)
          .noneMatch(line -> line.contains(IisConnectors.PASSWORD));
    } finally {
      logger.detachAppender(lines);
    }
  }

  @Test
  void a_message_too_large_fault_is_permanent() {
    registry.answer(IisTestServer.messageTooLargeFault());

    PushResult result = push(connector, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    assertThat(((PushResult.Permanent) result).errorClass()).isEqualTo("MessageTooLargeFault");
    assertThat(((PushResult.Permanent) result).reason()).contains("Limit is 64 bytes");
  }

  @Test
  void an_unsupported_operation_fault_is_permanent() {
    registry.answer(IisTestServer.unsupportedOperationFault());

    PushResult result = push(connector, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    assertThat(((PushResult.Permanent) result).errorClass())
        .isEqualTo("UnsupportedOperationFault");
    assertThat(((PushResult.Permanent) result).reason()).contains("baseUrl");
  }

  @Test
  void an_unknown_fault_is_retryable() {
    registry.answer(IisTestServer.unknownFault());

    PushResult result = push(connector, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Retryable.class);
    assertThat(((PushResult.Retryable) result).errorClass()).isEqualTo("UnknownFault");
    assertThat(((PushResult.Retryable) result).reason()).contains("Database connection lost");
  }

  @Test
  void a_server_error_of_the_soap_stack_itself_is_retryable() {
    registry.answer(
        received -> {
          throw new IllegalStateException("registry bug");
        });

    PushResult result = push(connector, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Retryable.class);
    assertThat(((PushResult.Retryable) result).errorClass()).isEqualTo("SoapFault");
    assertThat(((PushResult.Retryable) result).reason()).contains("env:Receiver");
  }

  @Test
  void a_registry_slower_than_the_request_timeout_is_retryable() {
    IisSoapConnector impatient =
        IisSoapConnector.create(
            IisConnectors.config(
                registry.uri(), new TimeoutsConfig(Duration.ofSeconds(2), Duration.ofMillis(300))),
            IisConnectors.CLOCK);
    registry.answer(registry.holdBack());

    PushResult result = push(impatient, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Retryable.class);
    assertThat(((PushResult.Retryable) result).errorClass()).isEqualTo("HttpTimeoutException");
    assertThat(((PushResult.Retryable) result).reason()).contains("timed out after 300 ms");
  }

  @Test
  void an_http_503_without_a_soap_fault_is_retryable() {
    registry.rawAnswer(503, "text/html", "<h1>Service Unavailable</h1>");

    PushResult result = push(connector(registry.rawUri()), request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Retryable.class);
    assertThat(result.httpStatus()).isEqualTo(503);
  }

  @Test
  void an_http_404_is_permanent_and_points_at_the_base_url() {
    registry.rawAnswer(404, "text/plain", "no such service");

    PushResult result = push(connector(registry.rawUri()), request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    assertThat(((PushResult.Permanent) result).reason()).contains("baseUrl");
  }

  @Test
  void an_http_200_that_is_not_soap_is_retryable() {
    registry.rawAnswer(200, "text/plain", "OK");

    PushResult result = push(connector(registry.rawUri()), request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Retryable.class);
    assertThat(((PushResult.Retryable) result).errorClass()).isEqualTo("AckUnreadable");
  }

  @Test
  void a_registry_that_cannot_be_reached_is_retryable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }

    PushResult result =
        push(
            connector(URI.create("http://127.0.0.1:" + closedPort + "/IISService")),
            request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Retryable.class);
    assertThat(((PushResult.Retryable) result).reason()).contains("127.0.0.1:" + closedPort);
  }

  @Test
  void no_result_of_any_outcome_holds_the_patients_name_mrn_or_birth_date() {
    IisTestServer.Answer[] answers = {
      received -> ack(received, "AA", new Issue("PID", 5, "103", "x", "W", "check name")),
      received -> ack(received, "AE", new Issue("PID", 7, "102", "Data type error", "E", "bad")),
      received -> ack(received, "AR"),
      received -> ack(received, "AA", "OTHER-1"),
      received -> "",
      received -> "MSH|garbage " + SampleEvents.PATIENT_MRN,
      IisTestServer.securityFault(),
      IisTestServer.messageTooLargeFault(),
      IisTestServer.unsupportedOperationFault(),
      IisTestServer.unknownFault()
    };
    for (IisTestServer.Answer answer : answers) {
      registry.answer(answer);

      PushResult result = push(connector, request(completedEvent(), null));

      assertThat(logged(result)).doesNotContain(PHI);
    }
    assertThat(registry.received()).hasSize(answers.length);
  }
}
