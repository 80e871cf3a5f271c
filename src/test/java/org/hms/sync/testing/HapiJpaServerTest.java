package org.hms.sync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import io.javalin.Javalin;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Subscription;
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

  @Test
  void a_rest_hook_subscription_without_payload_notifies_with_an_empty_post_carrying_its_headers()
      throws Exception {
    List<Map<String, String>> notifications = new CopyOnWriteArrayList<>();
    Javalin endpoint =
        Javalin.create(
                config -> {
                  config.showJavalinBanner = false;
                  config.startupWatcherEnabled = false;
                })
            .post(
                "/hook",
                ctx ->
                    notifications.add(
                        Map.of(
                            "secret", String.valueOf(ctx.header("X-Test-Secret")),
                            "length", String.valueOf(ctx.bodyAsBytes().length))))
            .start("127.0.0.1", 0);
    String tag = JpaFhirServer.uniqueId("hook");
    Subscription subscription = new Subscription();
    subscription.setStatus(Subscription.SubscriptionStatus.REQUESTED);
    subscription.setReason("test");
    subscription.setCriteria("Appointment?_tag=urn:test|" + tag);
    subscription
        .getChannel()
        .setType(Subscription.SubscriptionChannelType.RESTHOOK)
        .setEndpoint("http://127.0.0.1:" + endpoint.port() + "/hook")
        .addHeader("X-Test-Secret: s3cret");
    IIdType id = client.create().resource(subscription).execute().getId().toUnqualifiedVersionless();
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  client.read().resource(Subscription.class).withId(id).execute().getStatus()
                      == Subscription.SubscriptionStatus.ACTIVE);
      Appointment tagged = appointment();
      tagged.getMeta().addTag("urn:test", tag, null);

      client.create().resource(tagged).execute();

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(notifications)
                      .containsExactly(Map.of("secret", "s3cret", "length", "0")));
    } finally {
      client.delete().resourceById(id).execute();
      endpoint.stop();
    }
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
