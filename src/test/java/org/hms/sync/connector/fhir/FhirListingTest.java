package org.hms.sync.connector.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.hms.sync.connector.fhir.FhirFixtures.config;
import static org.hms.sync.connector.fhir.FhirFixtures.push;
import static org.hms.sync.connector.fhir.FhirFixtures.request;
import static org.hms.sync.connector.fhir.FhirFixtures.settings;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Appointment.AppointmentStatus;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hms.sync.connector.AppointmentLister.Listing;
import org.hms.sync.connector.AppointmentLister.ListingException;
import org.hms.sync.connector.Capability;
import org.hms.sync.connector.ListedAppointment;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.simulator.fhir.FhirPortal;
import org.hms.sync.simulator.fhir.VersionedStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Listing for reconciliation against the portal stand-in (a HAPI RestfulServer): the date search,
 * its pages, how each Appointment is read, and what fails the listing.
 */
class FhirListingTest {

  private static final Instant DAY = Instant.parse("2027-03-01T00:00:00Z");
  private static final Instant NEXT_DAY = Instant.parse("2027-03-02T00:00:00Z");
  private static final Instant NINE = Instant.parse("2027-03-01T09:00:00Z");

  private static final Recorder recorder = new Recorder();
  private static FhirPortal portal;
  private static FhirConnector connector;
  private static FhirConnector literal;
  private static VersionedStore<Appointment> appointments;

  @BeforeAll
  static void startPortal() {
    // One instant for every write: searches give Appointments in the order they were made.
    portal = FhirPortal.start(0, Clock.fixed(DAY, ZoneOffset.UTC), recorder);
    appointments = portal.appointmentStore();
    connector = FhirFixtures.connector(config(portal.baseUrl(), null));
    literal = FhirFixtures.connector(config(portal.baseUrl(), settings("reference", null, false)));
  }

  @AfterAll
  static void stopPortal() {
    portal.close();
  }

  @BeforeEach
  void emptyPortal() {
    portal.reset();
    recorder.clear();
  }

  @Test
  void a_fhir_connector_can_list() {
    assertThat(Capability.of(connector)).contains(Capability.LIST);
    assertThat(connector.canList()).isTrue();
  }

  @Test
  void an_appointment_we_pushed_is_listed_with_our_id_status_start_location_and_patient() {
    PushResult created =
        push(connector, request(SampleEvents.event(EventTypes.CREATED, 1), null));

    Listing listing = connector.list(DAY, NEXT_DAY);

    assertThat(listing.unreadable()).isEmpty();
    assertThat(listing.appointments())
        .containsExactly(
            new ListedAppointment(
                "Appointment/1",
                SampleEvents.APPOINTMENT_ID,
                ListedAppointment.BOOKED,
                NINE,
                SampleEvents.CLINIC_CODE,
                SampleEvents.PATIENT_MRN));
    assertThat(((PushResult.Success) created).externalId())
        .as("the stored external id names the same Appointment, with the version we wrote")
        .isEqualTo("Appointment/1/_history/1");
  }

  @Test
  void the_search_asks_for_appointments_starting_at_or_after_from_and_before_to() {
    connector.list(DAY, NEXT_DAY);

    assertThat(recorder.queries)
        .singleElement()
        .satisfies(
            query ->
                assertThat(query)
                    .contains("date=ge2027-03-01T00:00:00.000Z")
                    .contains("date=lt2027-03-02T00:00:00.000Z")
                    .contains("_count=100"));
  }

  @Test
  void only_appointments_starting_in_the_range_are_listed_from_inclusive_to_exclusive() {
    seed("before", Instant.parse("2027-02-28T23:59:59Z"), AppointmentStatus.BOOKED);
    seed("at-from", DAY, AppointmentStatus.BOOKED);
    seed("inside", NINE, AppointmentStatus.BOOKED);
    seed("last-milli", NEXT_DAY.minusMillis(1), AppointmentStatus.BOOKED);
    seed("at-to", NEXT_DAY, AppointmentStatus.BOOKED);

    Listing listing = connector.list(DAY, NEXT_DAY);

    assertThat(listing.appointments())
        .extracting(ListedAppointment::appointmentId)
        .containsExactly("at-from", "inside", "last-milli");
  }

  @Test
  void a_long_listing_comes_in_pages_and_every_page_is_read() {
    for (int i = 0; i < 7; i++) {
      seed("apt-" + i, NINE.plusSeconds(60L * i), AppointmentStatus.BOOKED);
    }

    Listing listing = connector.list(DAY, NEXT_DAY, 3, 10);

    assertThat(listing.appointments())
        .extracting(ListedAppointment::appointmentId)
        .containsExactly("apt-0", "apt-1", "apt-2", "apt-3", "apt-4", "apt-5", "apt-6");
    assertThat(recorder.queries).hasSize(3);
    assertThat(recorder.queries.get(0)).contains("_count=3");
    assertThat(recorder.queries.subList(1, 3)).allMatch(query -> query.contains("_getpages="));
  }

  @Test
  void more_pages_than_the_limit_fail_the_listing_and_say_what_to_do() {
    for (int i = 0; i < 7; i++) {
      seed("apt-" + i, NINE.plusSeconds(60L * i), AppointmentStatus.BOOKED);
    }

    assertThatThrownBy(() -> connector.list(DAY, NEXT_DAY, 2, 3))
        .isInstanceOf(ListingException.class)
        .hasMessage(
            "connector 'county-portal': the search has more than 3 pages of 2 Appointments;"
                + " reconcile a shorter range");
  }

  @Test
  void each_fhir_status_is_listed_as_booked_cancelled_or_completed() {
    for (AppointmentStatus status : AppointmentStatus.values()) {
      if (status != AppointmentStatus.NULL) {
        seed(status.toCode(), NINE, status);
      }
    }

    Listing listing = connector.list(DAY, NEXT_DAY);

    assertThat(listing.unreadable()).isEmpty();
    assertThat(listing.appointments())
        .extracting(ListedAppointment::appointmentId, ListedAppointment::status)
        .containsExactlyInAnyOrder(
            tuple("proposed", "booked"),
            tuple("pending", "booked"),
            tuple("booked", "booked"),
            tuple("arrived", "booked"),
            tuple("fulfilled", "completed"),
            tuple("cancelled", "cancelled"),
            tuple("noshow", "cancelled"),
            tuple("entered-in-error", "cancelled"),
            tuple("checked-in", "booked"),
            tuple("waitlist", "booked"));
  }

  @Test
  void with_literal_references_location_and_patient_are_read_from_their_ids() {
    push(literal, request(SampleEvents.event(EventTypes.CREATED, 1), null));
    Appointment absolute = appointment("absolute", NINE, AppointmentStatus.BOOKED);
    absolute.addParticipant().setActor(new Reference(portal.baseUrl() + "/Location/CLINIC-7"));
    absolute.addParticipant().setActor(new Reference("Patient/MRN-7/_history/2"));
    appointments.seed(absolute);
    Appointment elsewhere = appointment("elsewhere", NINE, AppointmentStatus.BOOKED);
    elsewhere
        .addParticipant()
        .setActor(new Reference("https://other.example/fhir/Location/CLINIC-9"));
    elsewhere.addParticipant().setActor(new Reference("#contained-patient"));
    appointments.seed(elsewhere);

    Listing listing = literal.list(DAY, NEXT_DAY);

    assertThat(appointments.get("1").getParticipantFirstRep().getActor().getReference())
        .as("what the connector wrote")
        .isEqualTo("Patient/" + SampleEvents.PATIENT_MRN);
    assertThat(listing.appointments())
        .extracting(
            ListedAppointment::appointmentId,
            ListedAppointment::locationCode,
            ListedAppointment::patientMrn)
        .containsExactly(
            tuple(SampleEvents.APPOINTMENT_ID, SampleEvents.CLINIC_CODE, SampleEvents.PATIENT_MRN),
            tuple("absolute", "CLINIC-7", "MRN-7"),
            tuple("elsewhere", null, null));
  }

  @Test
  void with_identifier_references_a_literal_reference_is_not_taken_for_our_code() {
    Appointment mixed = appointment("mixed", NINE, AppointmentStatus.BOOKED);
    mixed.addParticipant().setActor(new Reference("Location/17"));
    mixed
        .addParticipant()
        .setActor(
            new Reference()
                .setType("Patient")
                .setIdentifier(new Identifier().setSystem("urn:other:mrn").setValue("X-1")));
    mixed
        .addParticipant()
        .setActor(
            new Reference()
                .setType("http://hl7.org/fhir/StructureDefinition/Patient")
                .setIdentifier(new Identifier().setSystem("urn:hms-sync:mrn").setValue("MRN-5")));
    appointments.seed(mixed);

    Listing listing = connector.list(DAY, NEXT_DAY);

    assertThat(listing.appointments())
        .extracting(ListedAppointment::locationCode, ListedAppointment::patientMrn)
        .containsExactly(tuple(null, "MRN-5"));
  }

  @Test
  void an_appointment_made_at_the_portal_has_no_appointment_id_and_its_id_stays_through_changes() {
    Appointment booked = appointment(null, NINE, AppointmentStatus.BOOKED);
    booked.addParticipant().setActor(identifierActor("Location", "urn:hms-sync:location", "C-1"));
    String id = appointments.seed(booked).getIdElement().getIdPart();
    ListedAppointment before = connector.list(DAY, NEXT_DAY).appointments().get(0);

    appointments.change(id, appointment -> appointment.setStatus(AppointmentStatus.CANCELLED));
    ListedAppointment after = connector.list(DAY, NEXT_DAY).appointments().get(0);

    assertThat(before)
        .isEqualTo(
            new ListedAppointment(
                "Appointment/" + id, null, ListedAppointment.BOOKED, NINE, "C-1", null));
    assertThat(after.externalId()).isEqualTo(before.externalId());
    assertThat(after.status()).isEqualTo(ListedAppointment.CANCELLED);
  }

  @Test
  void an_appointment_that_cannot_be_read_is_reported_by_position_never_by_content() {
    seed("first", NINE, AppointmentStatus.BOOKED);
    Appointment noStatus = appointment("no-status", NINE.plusSeconds(60), null);
    noStatus
        .addParticipant()
        .setActor(identifierActor("Patient", "urn:hms-sync:mrn", SampleEvents.PATIENT_MRN));
    appointments.seed(noStatus);
    Appointment twoPlaces =
        appointment("two-places", NINE.plusSeconds(120), AppointmentStatus.BOOKED);
    twoPlaces.addParticipant().setActor(identifierActor("Location", "urn:hms-sync:location", "A"));
    twoPlaces.addParticipant().setActor(identifierActor("Location", "urn:hms-sync:location", "B"));
    appointments.seed(twoPlaces);
    seed("last", NINE.plusSeconds(180), AppointmentStatus.FULFILLED);

    Listing listing = connector.list(DAY, NEXT_DAY);

    assertThat(listing.appointments())
        .extracting(ListedAppointment::appointmentId)
        .containsExactly("first", "last");
    assertThat(listing.unreadable())
        .containsExactly(
            "item 1: the Appointment has no status (or one that is not an R4 Appointment status)",
            "item 2: two participants name different locations");
  }

  @Test
  void an_appointment_without_start_is_unreadable_when_a_server_returns_it() {
    Appointment noStart = appointment("no-start", null, AppointmentStatus.WAITLIST);
    noStart.setId("Appointment/9");
    AppointmentListing listing =
        new AppointmentListing(
            null, org.hms.sync.config.FhirConfig.defaults(), config(portal.baseUrl(), null), 1, 1);

    assertThatThrownBy(() -> listing.listed(noStart))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the Appointment has no start, so it cannot be placed in the range");
    assertThat(connector.list(DAY, NEXT_DAY).appointments())
        .as("the portal, like any FHIR server, does not match a date search without a start")
        .isEmpty();
  }

  @Test
  void a_server_error_fails_the_listing_with_the_status() {
    seed("one", NINE, AppointmentStatus.BOOKED);
    recorder.failWith.set(503);

    assertThatThrownBy(() -> connector.list(DAY, NEXT_DAY))
        .isInstanceOf(ListingException.class)
        .hasMessageStartingWith(
            "connector 'county-portal' cannot list Appointments: HTTP 503 from GET"
                + " Appointment?date");
  }

  @Test
  void a_server_that_is_down_fails_the_listing() {
    FhirPortal gone = FhirPortal.start(0);
    gone.close();
    FhirConnector unreachable = FhirFixtures.connector(config(gone.baseUrl(), null));

    assertThatThrownBy(() -> unreachable.list(DAY, NEXT_DAY))
        .isInstanceOf(ListingException.class)
        .hasMessage(
            "connector 'county-portal' cannot list Appointments: cannot connect: GET"
                + " Appointment?date");
  }

  @Test
  void bounds_are_sent_at_millisecond_precision_and_never_narrow_the_range() {
    assertThat(AppointmentListing.lowerBound(Instant.parse("2027-03-01T00:00:00.0009Z")))
        .isEqualTo("2027-03-01T00:00:00Z");
    assertThat(AppointmentListing.upperBound(Instant.parse("2027-03-02T00:00:00.0001Z")))
        .isEqualTo("2027-03-02T00:00:00.001Z");
    assertThat(AppointmentListing.upperBound(NEXT_DAY)).isEqualTo("2027-03-02T00:00:00Z");
  }

  private static void seed(String ourId, Instant start, AppointmentStatus status) {
    appointments.seed(appointment(ourId, start, status));
  }

  /** An Appointment as another client would make it; our identifier only when ourId is given. */
  private static Appointment appointment(String ourId, Instant start, AppointmentStatus status) {
    Appointment appointment = new Appointment();
    if (ourId != null) {
      appointment.addIdentifier().setSystem(FhirPortal.OUR_IDENTIFIER_SYSTEM).setValue(ourId);
    }
    appointment.setStatus(status);
    if (start != null) {
      appointment.setStart(Date.from(start));
      appointment.setEnd(Date.from(start.plusSeconds(900)));
    }
    return appointment;
  }

  private static Reference identifierActor(String type, String system, String value) {
    return new Reference()
        .setType(type)
        .setIdentifier(new Identifier().setSystem(system).setValue(value));
  }

  /** Records each search's query and can fail every request with a status. */
  @Interceptor
  public static final class Recorder {
    final List<String> queries = new CopyOnWriteArrayList<>();
    final AtomicInteger failWith = new AtomicInteger();

    void clear() {
      queries.clear();
      failWith.set(0);
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_PROCESSED)
    public boolean record(HttpServletRequest request) {
      if (request.getMethod().equals("GET") && request.getQueryString() != null) {
        queries.add(URLDecoder.decode(request.getQueryString(), StandardCharsets.UTF_8));
      }
      return true;
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
    public boolean fail(RequestDetails details) {
      if (failWith.get() != 0) {
        throw BaseServerResponseException.newInstance(failWith.get(), "portal unavailable");
      }
      return true;
    }
  }
}
