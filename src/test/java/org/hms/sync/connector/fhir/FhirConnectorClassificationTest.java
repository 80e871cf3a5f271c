package org.hms.sync.connector.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hms.sync.connector.fhir.FhirFixtures.assertNoPhi;
import static org.hms.sync.connector.fhir.FhirFixtures.config;
import static org.hms.sync.connector.fhir.FhirFixtures.connector;
import static org.hms.sync.connector.fhir.FhirFixtures.push;
import static org.hms.sync.connector.fhir.FhirFixtures.request;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.UnclassifiedServerFailureException;
import java.net.ServerSocket;
import java.net.URI;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.outbox.OutboxEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How the fhir connector judges what a FHIR server answers, and what it puts in the sync log. */
class FhirConnectorClassificationTest {

  private final FhirTestServer server = FhirFixtures.server();
  private final FhirConnector connector = connector(config(server.baseUrl(), null));
  private final OutboxEvent created = SampleEvents.event(EventTypes.CREATED, 1);

  @Test
  void a_400_with_an_operation_outcome_is_permanent_with_its_issues_and_no_phi() {
    OperationOutcome outcome = new OperationOutcome();
    outcome
        .addIssue()
        .setSeverity(OperationOutcome.IssueSeverity.ERROR)
        .setCode(OperationOutcome.IssueType.INVALID)
        .setDiagnostics(
            "Patient with identifier "
                + SampleEvents.PATIENT_MRN
                + " ("
                + SampleEvents.PATIENT_FAMILY_NAME
                + ", "
                + SampleEvents.PATIENT_GIVEN_NAME
                + ", born 1980-01-01) is unknown")
        .addExpression("Appointment.participant[0].actor");
    outcome
        .addIssue()
        .setSeverity(OperationOutcome.IssueSeverity.WARNING)
        .setCode(OperationOutcome.IssueType.BUSINESSRULE)
        .setDiagnostics("slot not found");
    server.failNext("POST", "Appointment", new InvalidRequestException("rejected", outcome));

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    PushResult.Permanent permanent = (PushResult.Permanent) result;
    assertThat(permanent.httpStatus()).isEqualTo(400);
    assertThat(permanent.errorClass()).isEqualTo("HttpStatus");
    assertThat(permanent.reason())
        .isEqualTo(
            "HTTP 400 from POST Appointment: error invalid: Patient with identifier *** (***,"
                + " ***, born ***) is unknown (at Appointment.participant[0].actor); warning"
                + " business-rule: slot not found");
    assertNoPhi(result);
  }

  @Test
  void a_503_is_retryable_not_before_its_retry_after() {
    BaseServerResponseException unavailable =
        new UnclassifiedServerFailureException(503, "down for maintenance");
    unavailable.addResponseHeader("Retry-After", "30");
    server.failNext("POST", "Appointment", unavailable);

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOf(PushResult.Retryable.class);
    PushResult.Retryable retryable = (PushResult.Retryable) result;
    assertThat(retryable.httpStatus()).isEqualTo(503);
    assertThat(retryable.reason())
        .startsWith("HTTP 503 from POST Appointment")
        .contains("down for maintenance");
    assertThat(retryable.notBefore()).isEqualTo(FhirTestServer.START.plusSeconds(30));
  }

  @ParameterizedTest
  @ValueSource(ints = {408, 425, 429, 500, 502})
  void these_statuses_may_pass_and_are_retryable(int status) {
    server.failNext(
        "POST", "Appointment", BaseServerResponseException.newInstance(status, "try later"));

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOf(PushResult.Retryable.class);
    assertThat(result.httpStatus()).isEqualTo(status);
    assertThat(server.appointments.all()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 403, 404, 405, 409, 410, 412, 422})
  void other_4xx_are_permanent(int status) {
    server.failNext(
        "POST", "Appointment", BaseServerResponseException.newInstance(status, "refused"));

    PushResult result = push(connector, request(created, null));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    assertThat(result.httpStatus()).isEqualTo(status);
    assertThat(((PushResult.Permanent) result).reason())
        .startsWith("HTTP " + status + " from POST Appointment");
  }

  @Test
  void a_failed_call_is_named_in_the_reason() {
    String externalId =
        ((PushResult.Success) push(connector, request(created, null))).externalId();
    server.failNext(
        "PUT", "Appointment", BaseServerResponseException.newInstance(422, "no such location"));

    PushResult result =
        push(connector, request(SampleEvents.event(EventTypes.CANCELLED, 2), externalId));

    assertThat(((PushResult.Permanent) result).reason())
        .startsWith("HTTP 422 from PUT Appointment/1")
        .contains("no such location");
  }

  @Test
  void a_server_that_cannot_be_reached_is_retryable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    FhirConnector unreachable =
        connector(config(URI.create("http://127.0.0.1:" + closedPort + "/fhir"), null));

    PushResult result = push(unreachable, request(created, null));

    assertThat(result).isInstanceOf(PushResult.Retryable.class);
    assertThat(result.httpStatus()).isNull();
    assertThat(((PushResult.Retryable) result).reason())
        .isEqualTo("cannot connect: POST Appointment");
  }
}
