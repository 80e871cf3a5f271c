package org.hms.sync.connector.fhir;

import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Slot;
import org.hms.sync.config.FhirConfig;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.outbox.EventTypes;

/**
 * One attempt of one delivery: the calls to the FHIR server in order, the notes for the sync log
 * and the call under way (for the reason when one fails). Every step is safe to run again: the
 * create is conditional on our identifier, updates carry If-Match, slot status is set, not
 * toggled. One instance per attempt, run on one thread.
 */
final class AppointmentPush {
  /** How often a 412 is answered by re-reading and applying our change again. */
  static final int MAX_REAPPLY = 3;

  /** System of the Slot identifier that carries our slot id. */
  static final String SLOT_IDENTIFIER_SYSTEM = "urn:hms-sync:slot";

  private final FhirEndpoint endpoint;
  private final AppointmentResource resources;
  private final FhirConfig settings;
  private final String eventType;
  private final ObjectNode input;
  private final String appointmentId;
  private final String externalId;
  private final List<String> notes = new ArrayList<>();
  private volatile String step = "preparing the request";

  AppointmentPush(
      FhirEndpoint endpoint,
      AppointmentResource resources,
      FhirConfig settings,
      String eventType,
      ObjectNode input,
      String externalId) {
    this.endpoint = endpoint;
    this.resources = resources;
    this.settings = settings;
    this.eventType = eventType;
    this.input = input;
    this.appointmentId = input.path("appointment").path("id").asText();
    this.externalId = externalId;
  }

  /** The call under way or last made, e.g. {@code PUT Appointment/12}. */
  String step() {
    return step;
  }

  /** Runs the attempt; a failed call throws (the connector classifies it). */
  PushResult run() {
    return eventType.equals(EventTypes.CREATED) ? create() : change();
  }

  private PushResult create() {
    String slotId = null;
    if (settings.slotEvents()) {
      Slot slot = findSlot();
      if (slot != null) {
        slotId = slot.getIdElement().getIdPart();
        markSlot(slot, Slot.SlotStatus.BUSY);
      }
    }
    Appointment desired = resources.build(eventType, input, slotId);
    step = "POST Appointment";
    MethodOutcome outcome = endpoint.create(desired, resources.ifNoneExist(appointmentId));
    int status = outcome.isResponseStatusCodeSet() ? outcome.getResponseStatusCode() : 201;
    FhirExternalId id = idOf(outcome, null);
    if (id == null) {
      notes.add(
          "the server named no Appointment id (no Location); later changes find it by identifier");
    } else if (Boolean.FALSE.equals(outcome.getCreated()) || status == 200) {
      notes.add(
          "an Appointment with "
              + resources.ifNoneExist(appointmentId)
              + " already existed ("
              + id
              + "): the conditional create made no second one");
    }
    serverIssues(outcome);
    return new PushResult.Success(status, id == null ? null : id.toString(), note());
  }

  private PushResult change() {
    Appointment current = null;
    String logicalId;
    String version;
    if (externalId != null) {
      FhirExternalId known = stored(externalId);
      logicalId = known.logicalId();
      version = known.versionId();
    } else {
      current = findAppointment();
      logicalId = current.getIdElement().getIdPart();
      version = versionOf(current);
    }
    Slot slot = null;
    String oldSlotId = null;
    if (settings.slotEvents()) {
      if (eventType.equals(EventTypes.RESCHEDULED)) {
        if (current == null) {
          step = "GET Appointment/" + logicalId;
          current = endpoint.read(Appointment.class, logicalId);
        }
        oldSlotId = slotOf(current).orElse(null);
      }
      slot = findSlot();
      if (slot != null && eventType.equals(EventTypes.RESCHEDULED)) {
        markSlot(slot, Slot.SlotStatus.BUSY);
      }
    }
    String slotId = slot == null ? null : slot.getIdElement().getIdPart();
    Appointment desired = resources.build(eventType, input, slotId);
    PushResult result = update(logicalId, version, current, desired);
    if (slot != null && eventType.equals(EventTypes.CANCELLED)) {
      markSlot(slot, Slot.SlotStatus.FREE);
    }
    if (oldSlotId != null && !oldSlotId.equals(slotId)) {
      freeSlot(oldSlotId);
    }
    if (result instanceof PushResult.Success success) {
      return new PushResult.Success(success.httpStatus(), success.externalId(), note());
    }
    return result;
  }

  /**
   * PUT with If-Match of the version we last saw. On 412: when the server already shows our change
   * it is success; with {@code onVersionConflict: fail} a permanent conflict; else re-read, apply
   * our change on top and try again, {@link #MAX_REAPPLY} times at most.
   */
  private PushResult update(
      String logicalId, String version, Appointment current, Appointment desired) {
    Appointment body = current == null ? desired : resources.applyOnto(current, desired);
    String ifMatch = version != null ? version : current == null ? null : versionOf(current);
    for (int tries = 1; ; tries++) {
      step = "PUT Appointment/" + logicalId;
      try {
        MethodOutcome outcome = endpoint.update(body, logicalId, ifMatch);
        serverIssues(outcome);
        FhirExternalId id = idOf(outcome, logicalId);
        int status = outcome.isResponseStatusCodeSet() ? outcome.getResponseStatusCode() : 200;
        return new PushResult.Success(status, id.toString(), null);
      } catch (PreconditionFailedException conflict) {
        step = "GET Appointment/" + logicalId;
        Appointment latest = endpoint.read(Appointment.class, logicalId);
        String latestVersion = versionOf(latest);
        if (AppointmentResource.inEffect(latest, desired)) {
          notes.add(
              "Appointment/"
                  + logicalId
                  + " already shows this change at version "
                  + latestVersion
                  + " (an earlier answer was lost); not sent again");
          return new PushResult.Success(
              200, new FhirExternalId(logicalId, latestVersion).toString(), null);
        }
        String moved =
            "Appointment/"
                + logicalId
                + " changed at the server since version "
                + ifMatch
                + " (now "
                + latestVersion
                + ")";
        if (settings.onVersionConflict().equals("fail")) {
          throw new Outcomes.Verdict(
              new PushResult.Permanent(
                  412,
                  "VersionConflict",
                  moved
                      + "; onVersionConflict is fail, so the change waits for review: compare"
                      + " both sides, then replay or discard the delivery"));
        }
        if (tries >= MAX_REAPPLY) {
          throw new Outcomes.Verdict(
              new PushResult.Retryable(
                  412,
                  "VersionConflict",
                  moved + " again each of " + MAX_REAPPLY + " times we re-applied; will retry",
                  null));
        }
        notes.add(moved + ": re-read and applied our change on top");
        body = resources.applyOnto(latest, desired);
        ifMatch = latestVersion;
      }
    }
  }

  private static FhirExternalId stored(String externalId) {
    try {
      return FhirExternalId.parse(externalId);
    } catch (IllegalArgumentException unreadable) {
      throw new Outcomes.Verdict(
          new PushResult.Permanent(
              null,
              "InvalidExternalId",
              unreadable.getMessage()
                  + "; the fhir connector stores Appointment/<id>/_history/<version>: fix or"
                  + " remove the stored external id, then replay"));
    }
  }

  /** The Appointment carrying our identifier, when no external id is stored. */
  private Appointment findAppointment() {
    step = "GET Appointment?" + resources.ifNoneExist(appointmentId);
    List<Appointment> found =
        endpoint.findByIdentifier(Appointment.class, settings.identifierSystem(), appointmentId);
    if (found.isEmpty()) {
      throw new Outcomes.Verdict(
          new PushResult.Permanent(
              null,
              "NotFound",
              "no Appointment with "
                  + resources.ifNoneExist(appointmentId)
                  + " at the server, and no external id is stored: the create was not"
                  + " delivered; replay the appointment.created delivery first"));
    }
    if (found.size() > 1) {
      throw new Outcomes.Verdict(
          new PushResult.Permanent(
              null,
              "Ambiguous",
              found.size()
                  + " Appointments carry "
                  + resources.ifNoneExist(appointmentId)
                  + "; remove the duplicates at the server, then replay"));
    }
    notes.add(
        "no external id was stored; found Appointment/"
            + found.get(0).getIdElement().getIdPart()
            + " by identifier");
    return found.get(0);
  }

  /** The Slot with our slot id as identifier, or null (with a note) when there is none. */
  private Slot findSlot() {
    JsonNode slotId = input.path("appointment").path("slotId");
    if (!slotId.isTextual() || slotId.asText().isBlank()) {
      notes.add("the event names no slot; slot status not kept");
      return null;
    }
    String identifier = SLOT_IDENTIFIER_SYSTEM + "|" + slotId.asText();
    step = "GET Slot?identifier=" + identifier;
    List<Slot> found =
        endpoint.findByIdentifier(Slot.class, SLOT_IDENTIFIER_SYSTEM, slotId.asText());
    if (found.isEmpty()) {
      notes.add("no Slot with identifier " + identifier + " at the server; slot status not kept");
      return null;
    }
    if (found.size() > 1) {
      notes.add(found.size() + " Slots carry identifier " + identifier + "; kept the first");
    }
    return found.get(0);
  }

  /** Sets the Slot's status, re-reading it on 412 ({@link #MAX_REAPPLY} times at most). */
  private void markSlot(Slot slot, Slot.SlotStatus status) {
    String logicalId = slot.getIdElement().getIdPart();
    Slot latest = slot;
    for (int tries = 1; latest.getStatus() != status; tries++) {
      String version = versionOf(latest);
      latest.setStatus(status);
      step = "PUT Slot/" + logicalId;
      try {
        endpoint.update(latest, logicalId, version);
        return;
      } catch (PreconditionFailedException conflict) {
        if (tries >= MAX_REAPPLY) {
          throw new Outcomes.Verdict(
              new PushResult.Retryable(
                  412,
                  "VersionConflict",
                  "Slot/" + logicalId + " changed at the server each time we re-read it; will retry",
                  null));
        }
        step = "GET Slot/" + logicalId;
        latest = endpoint.read(Slot.class, logicalId);
      }
    }
  }

  /** Frees the slot the appointment held before it was rescheduled. */
  private void freeSlot(String logicalId) {
    step = "GET Slot/" + logicalId;
    Slot slot;
    try {
      slot = endpoint.read(Slot.class, logicalId);
    } catch (ResourceNotFoundException | ResourceGoneException gone) {
      notes.add("the previous Slot/" + logicalId + " is gone at the server; not freed");
      return;
    }
    markSlot(slot, Slot.SlotStatus.FREE);
  }

  private void serverIssues(MethodOutcome outcome) {
    String issues = Outcomes.issues(outcome.getOperationOutcome(), Redactor.of(input));
    if (!issues.isEmpty()) {
      notes.add("server said: " + issues);
    }
  }

  private String note() {
    return notes.isEmpty() ? null : Outcomes.cut(String.join("; ", notes));
  }

  /** The Slot the appointment references ({@code Slot/<id>}, relative or absolute), if any. */
  static Optional<String> slotOf(Appointment appointment) {
    for (Reference reference : appointment.getSlot()) {
      if (reference.hasReference()) {
        IdType id = new IdType(reference.getReference());
        if ("Slot".equals(id.getResourceType()) && id.hasIdPart()) {
          return Optional.of(id.getIdPart());
        }
      }
    }
    return Optional.empty();
  }

  /** The resource's version: from its id, else from meta.versionId; null when unversioned. */
  static String versionOf(Resource resource) {
    if (resource.getIdElement().hasVersionIdPart()) {
      return resource.getIdElement().getVersionIdPart();
    }
    return resource.getMeta().hasVersionId() ? resource.getMeta().getVersionId() : null;
  }

  /** The id the server gave in Location (or ETag for the version); {@code fallback} if none. */
  private static FhirExternalId idOf(MethodOutcome outcome, String fallbackLogicalId) {
    String logicalId =
        outcome.getId() != null && outcome.getId().hasIdPart()
            ? outcome.getId().getIdPart()
            : fallbackLogicalId;
    if (logicalId == null) {
      return null;
    }
    String version =
        outcome.getId() != null && outcome.getId().hasVersionIdPart()
            ? outcome.getId().getVersionIdPart()
            : outcome.getFirstResponseHeader("ETag").map(AppointmentPush::etagVersion).orElse(null);
    return new FhirExternalId(logicalId, version);
  }

  /** {@code W/"3"} or {@code "3"} → {@code 3}. */
  static String etagVersion(String etag) {
    String value = etag.trim();
    if (value.startsWith("W/")) {
      value = value.substring(2);
    }
    return value.replace("\"", "").trim();
  }
}
