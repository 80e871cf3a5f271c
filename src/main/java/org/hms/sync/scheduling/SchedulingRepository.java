package org.hms.sync.scheduling;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hms.sync.db.Jdbc;

/** SQL for the scheduling tables; every method runs on the caller's connection. */
final class SchedulingRepository {
  private static final String APPOINTMENT_COLUMNS =
      "a.id, a.patient_id, a.slot_id, a.status, a.version, a.event_sequence, a.cancel_reason,"
          + " a.imm_cvx_code, a.imm_lot_number, a.imm_dose, a.imm_manufacturer, a.imm_route,"
          + " a.imm_site, a.imm_administered_at, a.updated_at, s.location_id, s.start_at, s.end_at";

  void insertPatient(Connection connection, Patient patient, Instant now) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO patient (id, mrn, given_name, family_name, birth_date, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)")) {
      insert.setString(1, patient.id());
      insert.setString(2, patient.mrn());
      insert.setString(3, patient.givenName());
      insert.setString(4, patient.familyName());
      insert.setObject(5, patient.birthDate());
      Jdbc.setInstant(insert, 6, now);
      insert.executeUpdate();
    }
  }

  boolean mrnExists(Connection connection, String mrn) throws SQLException {
    return exists(connection, "SELECT 1 FROM patient WHERE mrn = ?", mrn);
  }

  Optional<Patient> findPatient(Connection connection, String id) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT id, mrn, given_name, family_name, birth_date FROM patient WHERE id = ?")) {
      select.setString(1, id);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Patient(
                rows.getString("id"),
                rows.getString("mrn"),
                rows.getString("given_name"),
                rows.getString("family_name"),
                rows.getObject("birth_date", java.time.LocalDate.class)));
      }
    }
  }

  void insertLocation(Connection connection, Location location, Instant now) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO location (id, code, name, created_at) VALUES (?, ?, ?, ?)")) {
      insert.setString(1, location.id());
      insert.setString(2, location.code());
      insert.setString(3, location.name());
      Jdbc.setInstant(insert, 4, now);
      insert.executeUpdate();
    }
  }

  boolean locationCodeExists(Connection connection, String code) throws SQLException {
    return exists(connection, "SELECT 1 FROM location WHERE code = ?", code);
  }

  Optional<Location> findLocation(Connection connection, String id) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement("SELECT id, code, name FROM location WHERE id = ?")) {
      select.setString(1, id);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next()
            ? Optional.of(
                new Location(rows.getString("id"), rows.getString("code"), rows.getString("name")))
            : Optional.empty();
      }
    }
  }

  void insertSlot(Connection connection, Slot slot, Instant now) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO slot (id, location_id, start_at, end_at, capacity, booked, created_at)"
                + " VALUES (?, ?, ?, ?, ?, 0, ?)")) {
      insert.setString(1, slot.id());
      insert.setString(2, slot.locationId());
      Jdbc.setInstant(insert, 3, slot.start());
      Jdbc.setInstant(insert, 4, slot.end());
      insert.setInt(5, slot.capacity());
      Jdbc.setInstant(insert, 6, now);
      insert.executeUpdate();
    }
  }

  Optional<Slot> findSlot(Connection connection, String id) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT id, location_id, start_at, end_at, capacity, booked FROM slot WHERE id = ?")) {
      select.setString(1, id);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Slot(
                rows.getString("id"),
                rows.getString("location_id"),
                Jdbc.getInstant(rows, "start_at"),
                Jdbc.getInstant(rows, "end_at"),
                rows.getInt("capacity"),
                rows.getInt("booked")));
      }
    }
  }

  /**
   * Takes one place in the slot if one is free. The check and the increment are one UPDATE, so
   * concurrent bookings serialize on the slot row and the slot is never overbooked.
   */
  boolean takePlace(Connection connection, String slotId) throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE slot SET booked = booked + 1 WHERE id = ? AND booked < capacity")) {
      update.setString(1, slotId);
      return update.executeUpdate() == 1;
    }
  }

  void releasePlace(Connection connection, String slotId) throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE slot SET booked = booked - 1 WHERE id = ? AND booked > 0")) {
      update.setString(1, slotId);
      update.executeUpdate();
    }
  }

  void insertAppointment(Connection connection, Appointment appointment, Instant now)
      throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO appointment (id, patient_id, slot_id, status, version, event_sequence,"
                + " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      insert.setString(1, appointment.id());
      insert.setString(2, appointment.patientId());
      insert.setString(3, appointment.slotId());
      insert.setString(4, appointment.status().wire());
      insert.setLong(5, appointment.version());
      insert.setLong(6, 1);
      Jdbc.setInstant(insert, 7, now);
      Jdbc.setInstant(insert, 8, now);
      insert.executeUpdate();
    }
  }

  /** The appointment and its next event sequence, with the row locked for this transaction. */
  Optional<Stored> lockAppointment(Connection connection, String id) throws SQLException {
    try (PreparedStatement lock =
        connection.prepareStatement("SELECT id FROM appointment WHERE id = ? FOR UPDATE")) {
      lock.setString(1, id);
      try (ResultSet rows = lock.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
      }
    }
    return findStored(connection, id);
  }

  Optional<Appointment> findAppointment(Connection connection, String id) throws SQLException {
    return findStored(connection, id).map(Stored::appointment);
  }

  private Optional<Stored> findStored(Connection connection, String id) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT "
                + APPOINTMENT_COLUMNS
                + " FROM appointment a JOIN slot s ON s.id = a.slot_id WHERE a.id = ?")) {
      select.setString(1, id);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next()
            ? Optional.of(new Stored(readAppointment(rows), rows.getLong("event_sequence")))
            : Optional.empty();
      }
    }
  }

  List<Appointment> listAppointments(
      Connection connection, String patientId, AppointmentStatus status, int limit)
      throws SQLException {
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(APPOINTMENT_COLUMNS)
            .append(" FROM appointment a JOIN slot s ON s.id = a.slot_id WHERE 1 = 1");
    List<String> parameters = new ArrayList<>();
    if (patientId != null) {
      sql.append(" AND a.patient_id = ?");
      parameters.add(patientId);
    }
    if (status != null) {
      sql.append(" AND a.status = ?");
      parameters.add(status.wire());
    }
    sql.append(" ORDER BY s.start_at, a.id LIMIT ?");
    try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
      int index = 1;
      for (String parameter : parameters) {
        select.setString(index++, parameter);
      }
      select.setInt(index, limit);
      List<Appointment> result = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          result.add(readAppointment(rows));
        }
      }
      return result;
    }
  }

  /** Writes the new state; the caller holds the row lock and has checked the version. */
  void updateAppointment(Connection connection, Appointment appointment, long eventSequence)
      throws SQLException {
    Immunization immunization = appointment.immunization();
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE appointment SET slot_id = ?, status = ?, version = ?, event_sequence = ?,"
                + " cancel_reason = ?, imm_cvx_code = ?, imm_lot_number = ?, imm_dose = ?,"
                + " imm_manufacturer = ?, imm_route = ?, imm_site = ?, imm_administered_at = ?,"
                + " updated_at = ? WHERE id = ?")) {
      update.setString(1, appointment.slotId());
      update.setString(2, appointment.status().wire());
      update.setLong(3, appointment.version());
      update.setLong(4, eventSequence);
      update.setString(5, appointment.cancelReason());
      update.setString(6, immunization == null ? null : immunization.cvxCode());
      update.setString(7, immunization == null ? null : immunization.lotNumber());
      update.setString(8, immunization == null ? null : immunization.dose());
      update.setString(9, immunization == null ? null : immunization.manufacturer());
      update.setString(10, immunization == null ? null : immunization.route());
      update.setString(11, immunization == null ? null : immunization.site());
      Jdbc.setInstant(update, 12, immunization == null ? null : immunization.administeredAt());
      Jdbc.setInstant(update, 13, appointment.updatedAt());
      update.setString(14, appointment.id());
      update.executeUpdate();
    }
  }

  private static Appointment readAppointment(ResultSet rows) throws SQLException {
    String cvx = rows.getString("imm_cvx_code");
    Immunization immunization =
        cvx == null
            ? null
            : new Immunization(
                cvx,
                rows.getString("imm_lot_number"),
                rows.getString("imm_dose"),
                rows.getString("imm_manufacturer"),
                rows.getString("imm_route"),
                rows.getString("imm_site"),
                Jdbc.getInstant(rows, "imm_administered_at"));
    return new Appointment(
        rows.getString("id"),
        rows.getString("patient_id"),
        rows.getString("slot_id"),
        rows.getString("location_id"),
        Jdbc.getInstant(rows, "start_at"),
        Jdbc.getInstant(rows, "end_at"),
        AppointmentStatus.fromWire(rows.getString("status")),
        rows.getLong("version"),
        Jdbc.getInstant(rows, "updated_at"),
        rows.getString("cancel_reason"),
        immunization);
  }

  Optional<Patient> findPatientByMrn(Connection connection, String mrn) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement("SELECT id FROM patient WHERE mrn = ?")) {
      select.setString(1, mrn);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return findPatient(connection, rows.getString(1));
      }
    }
  }

  /** The slots at the location with this code that start at this instant (usually one). */
  List<Slot> findSlotsAt(Connection connection, String locationCode, Instant start)
      throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT s.id FROM slot s JOIN location l ON l.id = s.location_id"
                + " WHERE l.code = ? AND s.start_at = ?"
                + " ORDER BY CASE WHEN s.booked < s.capacity THEN 0 ELSE 1 END, s.id")) {
      select.setString(1, locationCode);
      Jdbc.setInstant(select, 2, start);
      List<String> ids = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getString(1));
        }
      }
      List<Slot> slots = new ArrayList<>();
      for (String id : ids) {
        findSlot(connection, id).ifPresent(slots::add);
      }
      return slots;
    }
  }

  private static boolean exists(Connection connection, String sql, String parameter)
      throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(sql)) {
      select.setString(1, parameter);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next();
      }
    }
  }

  /** An appointment with the sequence number of its last event. */
  record Stored(Appointment appointment, long eventSequence) {}
}
