package org.hms.sync.connector.fhir;

import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.FhirConfig;
import org.hms.sync.connector.AppointmentLister.Listing;
import org.hms.sync.connector.AppointmentLister.ListingException;
import org.hms.sync.connector.ListedAppointment;

/**
 * One listing of the Appointments starting in a range, for reconciliation: {@code GET
 * Appointment?date=ge<from>&date=lt<to>&_count=<page size>}, then the Bundle's {@code next} links
 * (on the connector's own origin only, so that its credentials go nowhere else) until there is
 * none. Each Appointment is read into a {@link ListedAppointment}:
 *
 * <ul>
 *   <li>externalId: {@code Appointment/<logical id>}, the form of {@link FhirExternalId} without
 *       the version, so that it stays the same however often the Appointment changes;
 *   <li>appointmentId: the value of the identifier whose system is {@code identifierSystem} (none
 *       for an Appointment made at the server);
 *   <li>status: see {@link #status};
 *   <li>start: {@code Appointment.start};
 *   <li>locationCode and patientMrn: from the participants' actors, as {@link AppointmentResource}
 *       writes them: a logical reference whose identifier has {@code locationIdentifierSystem}
 *       ({@code patientIdentifierSystem}), or, with {@code references: reference}, a literal
 *       reference {@code Location/<code>} ({@code Patient/<MRN>}).
 * </ul>
 *
 * An Appointment that cannot be read (no id, no status, no start, participants that disagree) is
 * reported as {@code item <position>: <why>}, never with its content. Reads only: safe to run any
 * number of times. One instance per listing, run on one thread.
 */
final class AppointmentListing {
  private final FhirEndpoint endpoint;
  private final FhirConfig settings;
  private final String connectorId;
  private final URI baseUrl;
  private final int pageSize;
  private final int maxPages;

  AppointmentListing(
      FhirEndpoint endpoint,
      FhirConfig settings,
      ConnectorConfig config,
      int pageSize,
      int maxPages) {
    this.endpoint = endpoint;
    this.settings = settings;
    this.connectorId = config.id();
    this.baseUrl = config.baseUrl();
    this.pageSize = pageSize;
    this.maxPages = maxPages;
  }

  /**
   * Lists every page; a failed call throws (the connector turns it into a {@link
   * ListingException}).
   *
   * @throws ListingException when there are more than {@code maxPages} pages, or a next link leads
   *     to another origin
   */
  Listing list(Instant from, Instant to) {
    List<ListedAppointment> appointments = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    int position = 0;
    Bundle page = endpoint.appointmentsStarting(lowerBound(from), upperBound(to), pageSize);
    for (int pages = 1; ; pages++) {
      for (Bundle.BundleEntryComponent entry : page.getEntry()) {
        if (!(entry.getResource() instanceof Appointment appointment)) {
          continue; // an OperationOutcome or an included resource: not an item
        }
        try {
          appointments.add(listed(appointment));
        } catch (IllegalArgumentException unread) {
          unreadable.add("item " + position + ": " + unread.getMessage());
        }
        position++;
      }
      Bundle.BundleLinkComponent next = page.getLink(Bundle.LINK_NEXT);
      if (next == null || next.getUrl() == null || next.getUrl().isBlank()) {
        return new Listing(appointments, unreadable);
      }
      if (pages >= maxPages) {
        throw new ListingException(
            "connector '" + connectorId + "': the search has more than " + maxPages
                + " pages of " + pageSize + " Appointments; reconcile a shorter range");
      }
      requireSameOrigin(next.getUrl());
      page = endpoint.nextPage(page);
    }
  }

  /** The Appointment as listed; messages name what is wrong, never a value. */
  ListedAppointment listed(Appointment appointment) {
    String logicalId = appointment.getIdElement().getIdPart();
    if (logicalId == null || logicalId.isBlank()) {
      throw new IllegalArgumentException("the Appointment has no id");
    }
    String status = status(appointment.getStatus());
    if (status == null) {
      throw new IllegalArgumentException(
          "the Appointment has no status (or one that is not an R4 Appointment status)");
    }
    if (appointment.getStart() == null) {
      throw new IllegalArgumentException(
          "the Appointment has no start, so it cannot be placed in the range");
    }
    String locationCode = null;
    String patientMrn = null;
    for (Appointment.AppointmentParticipantComponent participant : appointment.getParticipant()) {
      Reference actor = participant.getActor();
      String location = actorValue(actor, "Location", settings.locationIdentifierSystem());
      if (location != null) {
        if (locationCode != null && !locationCode.equals(location)) {
          throw new IllegalArgumentException("two participants name different locations");
        }
        locationCode = location;
      }
      String patient = actorValue(actor, "Patient", settings.patientIdentifierSystem());
      if (patient != null) {
        if (patientMrn != null && !patientMrn.equals(patient)) {
          throw new IllegalArgumentException("two participants name different patients");
        }
        patientMrn = patient;
      }
    }
    return new ListedAppointment(
        new FhirExternalId(logicalId, null).toString(),
        ourIdentifier(appointment),
        status,
        appointment.getStart().toInstant(),
        locationCode,
        patientMrn);
  }

  /**
   * The FHIR status as a listed status: {@code booked} and the states before or around a visit
   * ({@code proposed}, {@code pending}, {@code arrived}, {@code checked-in}, {@code waitlist}) are
   * booked; {@code fulfilled} is completed; {@code cancelled}, {@code noshow} and {@code
   * entered-in-error} are cancelled. Null when there is no (valid) status.
   */
  static String status(Appointment.AppointmentStatus status) {
    if (status == null) {
      return null;
    }
    return switch (status) {
      case BOOKED, PROPOSED, PENDING, ARRIVED, CHECKEDIN, WAITLIST -> ListedAppointment.BOOKED;
      case FULFILLED -> ListedAppointment.COMPLETED;
      case CANCELLED, NOSHOW, ENTEREDINERROR -> ListedAppointment.CANCELLED;
      case NULL -> null;
    };
  }

  /** The value of our identifier ({@code identifierSystem}), or null. */
  private String ourIdentifier(Appointment appointment) {
    for (Identifier identifier : appointment.getIdentifier()) {
      if (settings.identifierSystem().equals(identifier.getSystem())
          && identifier.getValue() != null
          && !identifier.getValue().isBlank()) {
        return identifier.getValue();
      }
    }
    return null;
  }

  /**
   * The actor's value when it is a {@code type}: its identifier's value when the identifier has
   * {@code system}; with {@code references: reference}, else the id of a literal reference {@code
   * <type>/<id>} (relative, or absolute on our base URL). Null when the actor is something else.
   */
  private String actorValue(Reference actor, String type, String system) {
    if (actor == null || actor.isEmpty()) {
      return null;
    }
    boolean typeAgrees = !actor.hasType() || typeIs(actor.getType(), type);
    if (typeAgrees && actor.hasIdentifier()) {
      Identifier identifier = actor.getIdentifier();
      if (system.equals(identifier.getSystem())
          && identifier.getValue() != null
          && !identifier.getValue().isBlank()) {
        return identifier.getValue();
      }
    }
    if (!settings.references().equals("reference") || !actor.hasReference()) {
      return null;
    }
    String literal = actor.getReference();
    if (literal.startsWith("#")) {
      return null; // a contained resource: not one of ours
    }
    IdType id = new IdType(literal);
    if (!type.equals(id.getResourceType()) || !id.hasIdPart()) {
      return null;
    }
    if (id.hasBaseUrl() && !trimmed(id.getBaseUrl()).equals(trimmed(baseUrl.toString()))) {
      return null; // a resource at another server: its id is not our code
    }
    return id.getIdPart();
  }

  /** {@code Patient} or a URL ending in {@code /Patient} (a StructureDefinition). */
  private static boolean typeIs(String declared, String type) {
    return declared.equals(type) || declared.endsWith("/" + type);
  }

  private void requireSameOrigin(String link) {
    try {
      URI.create(link.trim());
    } catch (IllegalArgumentException notUri) {
      throw new ListingException(
          "connector '" + connectorId + "': the search's next link is not a URL; the server's"
              + " paging is broken, or reconcile a range short enough for one page");
    }
    if (!SameOrigin.as(baseUrl, link)) {
      throw new ListingException(
          "connector '" + connectorId + "': the search's next link points to another origin"
              + " than baseUrl; the listing follows links on the connector's own origin only, so"
              + " that its credentials go nowhere else");
    }
  }

  /** {@code from} at millisecond precision, rounded down: the range is never narrowed. */
  static String lowerBound(Instant from) {
    return from.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  /** {@code to} at millisecond precision, rounded up: the range is never narrowed. */
  static String upperBound(Instant to) {
    Instant millis = to.truncatedTo(ChronoUnit.MILLIS);
    return (millis.equals(to) ? millis : millis.plusMillis(1)).toString();
  }

  private static String trimmed(String base) {
    return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }
}
