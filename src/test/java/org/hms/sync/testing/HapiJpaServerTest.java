package org.hms.sync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import java.util.Date;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the HAPI FHIR JPA server answers where the specification leaves room, as the fhir connector
 * sees it through the HAPI client.
 */
@Tag("hapi-jpa")
class HapiJpaServerTest {
  private final JpaFhirServer server = JpaFhirServer.shared();
  private final IGenericClient client = server.client();

  @Test
  void a_stale_if_match_is_answered_409_with_hapi_0989_not_412() {
    IIdType created = client.create().resource(appointment()).execute().getId();
    Appointment changed = client.read().resource(Appointment.class).withId(created).execute();
    changed.setComment("changed by another client");
    client.update().resource(changed).withAdditionalHeader("If-Match", "W/\"1\"").execute();

    changed.setComment("a second change on the stale version");
    BaseServerResponseException stale =
        catchThrowableOfType(
            BaseServerResponseException.class,
            () ->
                client
                    .update()
                    .resource(changed)
                    .withAdditionalHeader("If-Match", "W/\"1\"")
                    .execute());

    assertThat(stale).isInstanceOf(ResourceVersionConflictException.class);
    assertThat(stale.getStatusCode()).isEqualTo(409);
    OperationOutcome outcome = (OperationOutcome) stale.getOperationOutcome();
    assertThat(outcome.getIssue())
        .singleElement()
        .satisfies(
            issue -> {
              assertThat(issue.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
              // not "conflict", which the specification names for edit conflicts
              assertThat(issue.getCode()).isEqualTo(OperationOutcome.IssueType.PROCESSING);
              assertThat(issue.getDiagnostics())
                  .contains("HAPI-0989")
                  .contains("Appointment/" + created.getIdPart() + "/_history/1")
                  .contains("not the current version");
            });
  }

  @Test
  void a_conditional_create_that_matches_answers_200_with_the_existing_appointment() {
    Appointment appointment = appointment();
    String condition =
        "Appointment?identifier=urn:hms-sync:appointment|"
            + appointment.getIdentifierFirstRep().getValue();

    MethodOutcome first =
        client.create().resource(appointment).conditionalByUrl(condition).execute();
    MethodOutcome second =
        client.create().resource(appointment).conditionalByUrl(condition).execute();

    assertThat(first.getCreated()).isTrue();
    assertThat(second.getCreated()).isNotEqualTo(Boolean.TRUE);
    assertThat(second.getId().getIdPart()).isEqualTo(first.getId().getIdPart());
  }

  private static Appointment appointment() {
    Appointment appointment = new Appointment();
    appointment.setStatus(Appointment.AppointmentStatus.BOOKED);
    appointment
        .addIdentifier()
        .setSystem("urn:hms-sync:appointment")
        .setValue(JpaFhirServer.uniqueId("smoke"));
    appointment.setStart(Date.from(java.time.Instant.parse("2027-03-01T09:00:00Z")));
    appointment.setEnd(Date.from(java.time.Instant.parse("2027-03-01T09:15:00Z")));
    appointment
        .addParticipant()
        .setStatus(Appointment.ParticipationStatus.ACCEPTED)
        .getActor()
        .setDisplay("Clinic A");
    return appointment;
  }
}
