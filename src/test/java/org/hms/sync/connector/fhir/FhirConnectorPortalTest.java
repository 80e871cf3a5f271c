package org.hms.sync.connector.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.hms.sync.connector.fhir.FhirFixtures.assertNoPhi;
import static org.hms.sync.connector.fhir.FhirFixtures.at;
import static org.hms.sync.connector.fhir.FhirFixtures.config;
import static org.hms.sync.connector.fhir.FhirFixtures.push;
import static org.hms.sync.connector.fhir.FhirFixtures.request;

import java.time.Instant;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.simulator.fhir.FhirPortal;
import org.hms.sync.simulator.fhir.PortalAppointment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fhir connector against the project's portal stand-in as the demo runs it: on its own port,
 * with the system clock, no proxy and no injected failures.
 */
class FhirConnectorPortalTest {

  private static final Instant START = Instant.parse("2027-03-01T09:00:00Z");
  private static final Instant END = Instant.parse("2027-03-01T09:15:00Z");

  private static FhirPortal portal;
  private static FhirConnector connector;

  @BeforeAll
  static void startPortal() {
    portal = FhirPortal.start(0);
    connector = FhirFixtures.connector(config(portal.baseUrl(), null));
  }

  @AfterAll
  static void stopPortal() {
    portal.close();
  }

  @BeforeEach
  void emptyPortal() {
    portal.reset();
  }

  @Test
  void created_makes_one_booked_appointment_under_our_identifier() {
    PushResult result = push(connector, request(SampleEvents.event(EventTypes.CREATED, 1), null));

    assertThat(result).isEqualTo(new PushResult.Success(201, "Appointment/1/_history/1", null));
    assertThat(portal.appointments())
        .containsExactly(
            new PortalAppointment("1", "1", SampleEvents.APPOINTMENT_ID, "booked", START, END));
  }

  @Test
  void a_retry_of_the_create_finds_the_appointment_instead_of_making_a_second() {
    push(connector, request(SampleEvents.event(EventTypes.CREATED, 1), null));

    PushResult retried = push(connector, request(SampleEvents.event(EventTypes.CREATED, 1), null));

    assertThat(retried).isInstanceOf(PushResult.Success.class);
    assertThat(((PushResult.Success) retried).httpStatus()).isEqualTo(200);
    assertThat(((PushResult.Success) retried).externalId()).isEqualTo("Appointment/1/_history/1");
    assertThat(portal.appointments()).hasSize(1);
    assertThat(portal.appointments().get(0).versionId()).isEqualTo("1");
  }

  @Test
  void rescheduled_moves_start_and_end_in_version_2() {
    String externalId = created();

    PushResult result =
        push(
            connector,
            request(
                at(SampleEvents.event(EventTypes.RESCHEDULED, 2), "2027-03-02T14:30:00Z"),
                externalId));

    assertThat(result).isEqualTo(new PushResult.Success(200, "Appointment/1/_history/2", null));
    assertThat(portal.appointments())
        .containsExactly(
            new PortalAppointment(
                "1",
                "2",
                SampleEvents.APPOINTMENT_ID,
                "booked",
                Instant.parse("2027-03-02T14:30:00Z"),
                Instant.parse("2027-03-02T14:45:00Z")));
  }

  @Test
  void cancelled_sets_status_cancelled() {
    String externalId = created();

    PushResult result =
        push(connector, request(SampleEvents.event(EventTypes.CANCELLED, 2), externalId));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    assertNoPhi(result);
    assertThat(portal.appointments())
        .extracting(PortalAppointment::status, PortalAppointment::versionId)
        .containsExactly(tuple("cancelled", "2"));
  }

  @Test
  void completed_sets_status_fulfilled() {
    String externalId = created();

    PushResult result =
        push(
            connector,
            request(
                SampleEvents.event(EventTypes.COMPLETED, 2, SampleEvents.completed()), externalId));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    assertThat(portal.appointments())
        .extracting(PortalAppointment::status)
        .containsExactly("fulfilled");
  }

  private static String created() {
    PushResult created = push(connector, request(SampleEvents.event(EventTypes.CREATED, 1), null));
    assertThat(created).isInstanceOf(PushResult.Success.class);
    return ((PushResult.Success) created).externalId();
  }
}
