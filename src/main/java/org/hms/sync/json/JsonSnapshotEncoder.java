package org.hms.sync.json;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hms.sync.scheduling.Appointment;
import org.hms.sync.scheduling.AppointmentSnapshot;
import org.hms.sync.scheduling.Immunization;
import org.hms.sync.scheduling.SnapshotEncoder;

/**
 * The outbox payload: the appointment with patient and location, in the shape mappings see as
 * {@code appointment}, plus {@code cancelReason} and {@code updatedAt}.
 */
public final class JsonSnapshotEncoder implements SnapshotEncoder {
  @Override
  public String encode(AppointmentSnapshot snapshot) {
    Appointment appointment = snapshot.appointment();
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("id", appointment.id());
    root.put("status", appointment.status().wire());
    root.put("start", appointment.start().toString());
    root.put("end", appointment.end().toString());
    root.put("version", appointment.version());
    root.put("slotId", appointment.slotId());
    ObjectNode patient = root.putObject("patient");
    patient.put("id", snapshot.patient().id());
    patient.put("mrn", snapshot.patient().mrn());
    patient.put("givenName", snapshot.patient().givenName());
    patient.put("familyName", snapshot.patient().familyName());
    patient.put("birthDate", snapshot.patient().birthDate().toString());
    ObjectNode location = root.putObject("location");
    location.put("id", snapshot.location().id());
    location.put("code", snapshot.location().code());
    location.put("name", snapshot.location().name());
    Immunization immunization = appointment.immunization();
    if (immunization == null) {
      root.putNull("immunization");
    } else {
      ObjectNode given = root.putObject("immunization");
      given.put("cvxCode", immunization.cvxCode());
      given.put("lotNumber", immunization.lotNumber());
      given.put("dose", immunization.dose());
      given.put("manufacturer", immunization.manufacturer());
      given.put("route", immunization.route());
      given.put("site", immunization.site());
      given.put(
          "administeredAt",
          immunization.administeredAt() == null ? null : immunization.administeredAt().toString());
    }
    root.put("cancelReason", appointment.cancelReason());
    root.put("updatedAt", appointment.updatedAt().toString());
    return Json.write(root);
  }
}
