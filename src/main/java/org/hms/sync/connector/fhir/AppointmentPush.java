package org.hms.sync.connector.fhir;

import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
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
 *
 * <p>An update reads the Appointment first and puts our elements over the others it has, with
 * If-Match of the version just read; the stored version (the one we last wrote or saw) is only
 * compared with it. If they differ, the Appointment moved on: when it already shows our change
 * (an earlier answer was lost), the attempt succeeds without writing; else {@code
 * onVersionConflict} decides. A 412 or 409 to the PUT (a write between our read and our PUT) is
 * followed by another read: if the version is still the one we sent, the server refused the
 * change itself (a business rule): permanent, with its OperationOutcome; otherwise it is the
 * same version conflict, and the next PUT carries the version just read.
 */
final class AppointmentPush {
  /** How often a version conflict is answered by re-reading and applying our change again. */
  static final int MAX_REAPPLY = 3;

  /** System of the Slot identifier that carries our slot id. */
  static final String SLOT_IDENTIFIER_SYSTEM = "urn:hms-sync:slot";

  private final FhirEndpoint endpoint;
  private final AppointmentResource resources;
  private final FhirConfig settings;
  private final String eventType;
  private final ObjectNode input;
  private final Redactor redactor;
  private final String appointmentId;
  private final String externalId;
  private final boolean replayed;
  private final List<String> notes = new ArrayList<>();
  private volatile String step = "preparing the request";

  /**
   * @param replayed an operator replayed the delivery: under {@code onVersionConflict: fail} a
   *     conflict is settled by applying our change (the replay is the review's decision)
   */
  AppointmentPush(
      FhirEndpoint endpoint,
      AppointmentResource resources,
      FhirConfig settings,
      String eventType,
      ObjectNode input,
      String externalId,
      boolean replayed) {
    this.endpoint = endpoint;
    this.resources = resources;
    this.settings = settings;
    this.eventType = eventType;
    this.input = input;
    this.redactor = Redactor.of(input);
    this.appointmentId = input.path("appointment").path("id").asText();
    this.externalId = externalId;
    this.replayed = replayed;
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
    MethodOutcome outcome;
    try {
      outcome = endpoint.create(desired, resources.ifNoneExist(appointmentId));
    } catch (BaseServerResponseException failure) {
      BaseServerResponseException refused = Outcomes.versionRefusal(failure);
      if (refused == null || refused.getStatusCode() != 409) {
        throw failure;
      }
      return createdMeanwhile(refused);
    }
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

  /**
   * A 409 to the conditional create: HAPI answers so when another create of the same identifier
   * ran at the same time (an earlier attempt still under way at the server). If an Appointment
   * with our identifier is there now, that is ours; if none is, the server refuses the
   * Appointment itself.
   */
  private PushResult createdMeanwhile(BaseServerResponseException refused) {
    String call = step;
    Appointment found = findAppointment(refused, call);
    FhirExternalId id = new FhirExternalId(found.getIdElement().getIdPart(), versionOf(found));
    notes.add(
        "the create was refused with HTTP 409, and " + id + " carries "
            + resources.ifNoneExist(appointmentId)
            + ": made by an earlier attempt at the same time; no second one");
    return new PushResult.Success(200, id.toString(), note());
  }

  /**
   * An update: reads the Appointment (by the stored id, or by our identifier when none is
   * stored), then {@link #update} puts our change over what the server has.
   */
  private PushResult change() {
    Appointment current;
    String logicalId;
    String lastSeen;
    if (externalId != null) {
      FhirExternalId known = stored(externalId);
      logicalId = known.logicalId();
      lastSeen = known.versionId();
      step = "GET Appointment/" + logicalId;
      current = endpoint.read(Appointment.class, logicalId);
    } else {
      current = findAppointment(null, null);
      logicalId = current.getIdElement().getIdPart();
      lastSeen = null; // nothing to compare: we have no record of what we saw
    }
    Slot slot = null;
    String oldSlotId = null;
    if (settings.slotEvents()) {
      if (eventType.equals(EventTypes.RESCHEDULED)) {
        oldSlotId = slotOf(current).orElse(null);
      }
      slot = findSlot();
      if (slot != null && eventType.equals(EventTypes.RESCHEDULED)) {
        markSlot(slot, Slot.SlotStatus.BUSY);
      }
    }
    String slotId = slot == null ? null : slot.getIdElement().getIdPart();
    Appointment desired = resources.build(eventType, input, slotId);
    PushResult result = update(logicalId, lastSeen, current, desired);
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
   * PUT of our change over {@code current} (the server's Appointment as just read: its other
   * elements kept), with If-Match of its version. If that version is not {@code lastSeen} (the
   * one we last wrote or saw), the Appointment changed at the server: {@link #settle} decides
   * first. A 409 or 412 (another write came between our read and our PUT) is followed by a read:
   * the same version means the server refuses the change itself (permanent); a newer one is a
   * version conflict, settled the same way, and the next PUT carries that version. {@link
   * #MAX_REAPPLY} PUTs at most, then retryable.
   */
  private PushResult update(
      String logicalId, String lastSeen, Appointment current, Appointment desired) {
    String ifMatch = versionOf(current);
    if (lastSeen != null && ifMatch != null && !lastSeen.equals(ifMatch)) {
      PushResult settled = settle(logicalId, lastSeen, current, desired, null);
      if (settled != null) {
        return settled;
      }
      notes.add(moved(logicalId, lastSeen, ifMatch) + ": applied our change over it");
    }
    Appointment body = resources.applyOnto(current, desired);
    for (int tries = 1; ; tries++) {
      step = "PUT Appointment/" + logicalId;
      try {
        MethodOutcome outcome = endpoint.update(body, logicalId, ifMatch);
        serverIssues(outcome);
        FhirExternalId id = idOf(outcome, logicalId);
        int status = outcome.isResponseStatusCodeSet() ? outcome.getResponseStatusCode() : 200;
        return new PushResult.Success(status, id.toString(), null);
      } catch (BaseServerResponseException failure) {
        BaseServerResponseException refused = Outcomes.versionRefusal(failure);
        if (refused == null || ifMatch == null) {
          throw failure;
        }
        String call = step;
        step = "GET Appointment/" + logicalId;
        Appointment latest = endpoint.read(Appointment.class, logicalId);
        String latestVersion = versionOf(latest);
        if (ifMatch.equals(latestVersion)) {
          throw notAConflict(refused, call, "Appointment/" + logicalId, ifMatch);
        }
        PushResult settled = settle(logicalId, ifMatch, latest, desired, refused);
        if (settled != null) {
          return settled;
        }
        String moved = moved(logicalId, ifMatch, latestVersion);
        if (tries >= MAX_REAPPLY) {
          throw new Outcomes.Verdict(
              new PushResult.Retryable(
                  refused.getStatusCode(),
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

  /**
   * The Appointment moved on from version {@code sent} to {@code latest}: success when it already
   * shows our change; a permanent conflict under {@code onVersionConflict: fail} (unless an
   * operator replayed the delivery); else null, and our change goes over {@code latest}.
   *
   * @param refused the server's refusal that showed it, or null when a read showed it
   */
  private PushResult settle(
      String logicalId,
      String sent,
      Appointment latest,
      Appointment desired,
      BaseServerResponseException refused) {
    String latestVersion = versionOf(latest);
    if (AppointmentResource.inEffect(latest, desired)) {
      notes.add(
          "Appointment/" + logicalId + " already shows this change at version " + latestVersion
              + " (an earlier answer was lost, or the change was made there too); not sent again");
      return new PushResult.Success(
          200, new FhirExternalId(logicalId, latestVersion).toString(), note());
    }
    String moved = moved(logicalId, sent, latestVersion);
    if (!settings.onVersionConflict().equals("fail")) {
      return null;
    }
    if (replayed) {
      notes.add(
          "the delivery was replayed, so a version conflict is settled by applying our change"
              + " (onVersionConflict: fail leaves that decision to the replay)");
      return null;
    }
    String answer =
        refused == null
            ? ""
            : " (" + Outcomes.refusal(refused, "PUT Appointment/" + logicalId, redactor) + ")";
    throw new Outcomes.Verdict(
        new PushResult.Permanent(
            refused == null ? null : refused.getStatusCode(),
            "VersionConflict",
            Outcomes.cut(
                moved + answer
                    + "; onVersionConflict is fail, so the change waits for review: compare both"
                    + " sides, then replay the delivery (which applies the EMR's change over"
                    + " the current version) or discard it")));
  }

  private static String moved(String logicalId, String sent, String latestVersion) {
    return "Appointment/" + logicalId + " changed at the server since version " + sent + " (now "
        + latestVersion + ")";
  }

  /** A 409 or 412 though the resource is still at the version we sent: the server's own rule. */
  private Outcomes.Verdict notAConflict(
      BaseServerResponseException refused, String call, String resource, String version) {
    return new Outcomes.Verdict(
        new PushResult.Permanent(
            refused.getStatusCode(),
            "HttpStatus",
            Outcomes.cut(
                Outcomes.refusal(refused, call, redactor) + "; " + resource
                    + " is still at version " + version + ", so this is not a version conflict:"
                    + " the server refuses the change itself; fix the cause there, then replay")));
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

  /**
   * The Appointment carrying our identifier: when no external id is stored, or after a 409 to the
   * create ({@code refused}, answered to {@code call}; null otherwise).
   */
  private Appointment findAppointment(BaseServerResponseException refused, String call) {
    step = "GET Appointment?" + resources.ifNoneExist(appointmentId);
    List<Appointment> found =
        endpoint.findByIdentifier(Appointment.class, settings.identifierSystem(), appointmentId);
    if (found.isEmpty() && refused != null) {
      throw new Outcomes.Verdict(
          new PushResult.Permanent(
              refused.getStatusCode(),
              "HttpStatus",
              Outcomes.cut(
                  Outcomes.refusal(refused, call, redactor) + "; no Appointment carries "
                      + resources.ifNoneExist(appointmentId) + ", so the server refuses the"
                      + " Appointment itself; fix the cause there, then replay")));
    }
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
    if (refused == null) {
      notes.add(
          "no external id was stored; found Appointment/"
              + found.get(0).getIdElement().getIdPart()
              + " by identifier");
    }
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

  /**
   * Sets the Slot's status, its other elements as the server has them. A 409 or 412 is followed
   * by a read: the same version means the server refuses the change (permanent); a newer one is
   * a conflict, and the status is set on that version ({@link #MAX_REAPPLY} times at most, then
   * retryable). Whatever {@code onVersionConflict} says: the status is the EMR's to keep.
   */
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
      } catch (BaseServerResponseException failure) {
        BaseServerResponseException refused = Outcomes.versionRefusal(failure);
        if (refused == null || version == null) {
          throw failure;
        }
        String call = step;
        step = "GET Slot/" + logicalId;
        latest = endpoint.read(Slot.class, logicalId);
        String latestVersion = versionOf(latest);
        if (version.equals(latestVersion)) {
          throw notAConflict(refused, call, "Slot/" + logicalId, version);
        }
        notes.add(
            "Slot/" + logicalId + " changed at the server since version " + version + " (now "
                + latestVersion + ")"
                + (latest.getStatus() == status
                    ? " and is " + status.toCode() + " already"
                    : ": status set again on that version"));
        if (latest.getStatus() != status && tries >= MAX_REAPPLY) {
          throw new Outcomes.Verdict(
              new PushResult.Retryable(
                  refused.getStatusCode(),
                  "VersionConflict",
                  "Slot/" + logicalId + " changed at the server each of " + MAX_REAPPLY
                      + " times we set its status; will retry",
                  null));
        }
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
    String issues = Outcomes.issues(outcome.getOperationOutcome(), redactor);
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
