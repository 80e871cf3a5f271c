package org.hms.sync.connector.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hms.sync.config.FhirConfig;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.json.Json;
import org.hms.sync.mapping.Mapping;
import org.hms.sync.mapping.MappingException;
import org.hms.sync.outbox.EventTypes;

/**
 * The FHIR R4 Appointment for an event: our appointment id as identifier ({@code
 * identifierSystem}), status ({@code booked}, {@code cancelled} with a cancelation reason, {@code
 * fulfilled}), start, end, the patient and the location as participants (logical references by
 * identifier, or literal references, per {@code references}), the Slot when slot events are kept;
 * then the route's JSONata mapping, if any, merged over the top-level elements.
 */
final class AppointmentResource {

  /** The elements the connector owns: set from the event, or removed when the event has none. */
  static final List<String> OWNED =
      List.of("status", "cancelationReason", "start", "end", "slot", "participant");

  /** Elements a mapping cannot replace: they identify the resource and its version. */
  private static final List<String> FIXED = List.of("resourceType", "id", "meta");

  /** A FHIR logical id, for literal references. */
  private static final Pattern FHIR_ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

  static final String DEFAULT_CANCEL_REASON = "Cancelled in the EMR";

  private final FhirConfig settings;
  private final FhirContext context;
  private final Map<String, Mapping> mappings;

  AppointmentResource(FhirConfig settings, FhirContext context, Map<String, Mapping> mappings) {
    this.settings = settings;
    this.context = context;
    this.mappings = Map.copyOf(mappings);
  }

  /** {@code identifier=<identifierSystem>|<appointment id>}: the If-None-Exist of a create. */
  String ifNoneExist(String appointmentId) {
    return "identifier=" + settings.identifierSystem() + "|" + appointmentId;
  }

  /**
   * The Appointment for this event.
   *
   * @param slotId the logical id of the Slot at the server, or {@code null} for no slot reference
   * @throws IllegalArgumentException for an event type the connector does not send
   * @throws MappingException when the route's mapping fails or makes no valid Appointment
   * @throws Outcomes.Verdict (permanent) when the event lacks what the resource needs
   */
  Appointment build(String eventType, ObjectNode input, String slotId) {
    JsonNode appointment = input.path("appointment");
    Appointment resource = new Appointment();
    resource
        .addIdentifier()
        .setSystem(settings.identifierSystem())
        .setValue(required(appointment, "id", "the appointment id"));
    resource.setStatus(status(eventType));
    if (eventType.equals(EventTypes.CANCELLED)) {
      JsonNode reason = appointment.path("cancelReason");
      String text =
          reason.isTextual() && !reason.asText().isBlank()
              ? reason.asText()
              : DEFAULT_CANCEL_REASON;
      resource.setCancelationReason(new CodeableConcept().setText(text));
    }
    resource.setStartElement(instant(appointment, "start"));
    resource.setEndElement(instant(appointment, "end"));
    if (slotId != null) {
      resource.addSlot(new Reference("Slot/" + slotId));
    }
    resource
        .addParticipant()
        .setActor(
            reference(
                "Patient",
                settings.patientIdentifierSystem(),
                required(appointment.path("patient"), "mrn", "the patient MRN")))
        .setStatus(Appointment.ParticipationStatus.ACCEPTED);
    resource
        .addParticipant()
        .setActor(
            reference(
                "Location",
                settings.locationIdentifierSystem(),
                required(appointment.path("location"), "code", "the location code")))
        .setStatus(Appointment.ParticipationStatus.ACCEPTED);
    Mapping mapping = mappings.get(eventType);
    return mapping == null ? resource : merged(resource, mapping, eventType, input);
  }

  /**
   * Our change on top of the server's current resource: the owned elements and the mapping's as
   * we would send them, every other element (and identifiers the server added) kept.
   */
  Appointment applyOnto(Appointment current, Appointment desired) {
    ObjectNode base = tree(current);
    ObjectNode ours = tree(desired);
    for (String owned : OWNED) {
      if (ours.has(owned)) {
        base.set(owned, ours.get(owned));
      } else {
        base.remove(owned);
      }
    }
    for (Map.Entry<String, JsonNode> field : ours.properties()) {
      String name = field.getKey();
      if (FIXED.contains(name) || OWNED.contains(name)) {
        continue;
      }
      if (name.equals("identifier")) {
        base.set(name, union(base.path(name), field.getValue()));
      } else {
        base.set(name, field.getValue());
      }
    }
    JsonNode meta = base.path("meta");
    if (meta instanceof ObjectNode metaObject) {
      metaObject.remove(List.of("versionId", "lastUpdated"));
      if (metaObject.isEmpty()) {
        base.remove("meta");
      }
    }
    return parser().parseResource(Appointment.class, Json.write(base));
  }

  /** True when the server's resource already shows our change (status, start and end). */
  static boolean inEffect(Appointment current, Appointment desired) {
    return current.getStatus() == desired.getStatus()
        && Objects.equals(instantOf(current.getStartElement()), instantOf(desired.getStartElement()))
        && Objects.equals(instantOf(current.getEndElement()), instantOf(desired.getEndElement()));
  }

  /** The resource as the connector sends it: compact JSON. */
  String encode(Resource resource) {
    return context.newJsonParser().encodeResourceToString(resource);
  }

  /** The resource as a JSON tree, for the change feed and for merging. */
  ObjectNode tree(Resource resource) {
    return (ObjectNode) Json.read(encode(resource));
  }

  private Appointment merged(
      Appointment resource, Mapping mapping, String eventType, ObjectNode input) {
    JsonNode mapped = mapping.evaluate(input);
    if (mapped == null || mapped.isNull() || mapped.isMissingNode()) {
      return resource;
    }
    if (!mapped.isObject()) {
      throw new MappingException(
          "mapping "
              + mapping.file()
              + " for "
              + eventType
              + " gave "
              + mapped.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
              + ", not an object of Appointment elements; return {\"element\": value, ...}",
          null);
    }
    ObjectNode base = tree(resource);
    for (Map.Entry<String, JsonNode> field : mapped.properties()) {
      String name = field.getKey();
      if (FIXED.contains(name)) {
        continue;
      }
      if (name.equals("identifier")) {
        base.set(name, union(base.path(name), field.getValue()));
      } else {
        base.set(name, field.getValue());
      }
    }
    try {
      return parser().parseResource(Appointment.class, Json.write(base));
    } catch (DataFormatException invalid) {
      throw new MappingException(
          "mapping "
              + mapping.file()
              + " for "
              + eventType
              + " makes an invalid FHIR Appointment: "
              + Redactor.of(input).clean(invalid.getMessage(), 200)
              + "; name only R4 Appointment elements",
          null);
    }
  }

  private IParser parser() {
    return context.newJsonParser().setParserErrorHandler(new StrictErrorHandler());
  }

  /** Identifiers of {@code first}, then those of {@code second} not already among them. */
  private static ArrayNode union(JsonNode first, JsonNode second) {
    ArrayNode all = Json.MAPPER.createArrayNode();
    if (first.isArray()) {
      first.forEach(all::add);
    }
    if (second.isArray()) {
      for (JsonNode identifier : second) {
        boolean known = false;
        for (JsonNode present : all) {
          known |= present.equals(identifier);
        }
        if (!known) {
          all.add(identifier);
        }
      }
    }
    return all;
  }

  private Reference reference(String type, String system, String value) {
    if (settings.references().equals("reference")) {
      if (!FHIR_ID.matcher(value).matches()) {
        // the value itself may be PHI (an MRN): name the field, never the value
        throw permanent(
            "the " + type.toLowerCase(java.util.Locale.ROOT)
                + "'s identifier is not a valid FHIR id ([A-Za-z0-9-.], at most 64), so it"
                + " cannot be a literal reference " + type + "/<id>; set references: identifier");
      }
      return new Reference(type + "/" + value);
    }
    Reference reference = new Reference();
    reference.setType(type);
    reference.setIdentifier(new Identifier().setSystem(system).setValue(value));
    return reference;
  }

  private static Appointment.AppointmentStatus status(String eventType) {
    switch (eventType) {
      case EventTypes.CREATED:
      case EventTypes.RESCHEDULED:
        return Appointment.AppointmentStatus.BOOKED;
      case EventTypes.CANCELLED:
        return Appointment.AppointmentStatus.CANCELLED;
      case EventTypes.COMPLETED:
        return Appointment.AppointmentStatus.FULFILLED;
      default:
        throw new IllegalArgumentException(
            "the fhir connector sends " + EventTypes.ALL + ", not " + eventType);
    }
  }

  private static InstantType instant(JsonNode appointment, String field) {
    String text = required(appointment, field, "the appointment " + field);
    try {
      return new InstantType(Instant.parse(text).toString());
    } catch (DateTimeParseException | IllegalArgumentException invalid) {
      throw permanent("the appointment " + field + " '" + text + "' is not an ISO-8601 instant");
    }
  }

  private static Instant instantOf(InstantType value) {
    return value == null || value.getValue() == null ? null : value.getValue().toInstant();
  }

  private static String required(JsonNode parent, String field, String what) {
    JsonNode value = parent.path(field);
    if (!value.isValueNode() || value.isNull() || value.asText().isBlank()) {
      throw permanent("the event has no " + what + " (" + field + "); the FHIR Appointment needs it");
    }
    return value.asText();
  }

  private static Outcomes.Verdict permanent(String reason) {
    return new Outcomes.Verdict(new PushResult.Permanent(null, "InvalidEvent", reason));
  }
}
