package org.hms.sync.connector.iis;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.group.VXU_V04_ORDER;
import ca.uhn.hl7v2.model.v251.message.VXU_V04;
import ca.uhn.hl7v2.model.v251.segment.MSH;
import ca.uhn.hl7v2.model.v251.segment.ORC;
import ca.uhn.hl7v2.model.v251.segment.PID;
import ca.uhn.hl7v2.model.v251.segment.RXA;
import ca.uhn.hl7v2.model.v251.segment.RXR;
import ca.uhn.hl7v2.parser.PipeParser;
import java.time.Clock;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Builds the HL7 v2.5.1 VXU^V04 (unsolicited vaccination record update) that reports one dose to
 * a state immunization registry, following the CDC IIS implementation guide (profile Z22).
 *
 * <p>The message is assembled with HAPI's model classes, so a value holding a delimiter ({@code |},
 * {@code ^}, {@code ~}, {@code \}, {@code &}) or a line break is escaped ({@link Hl7Escaping}),
 * never read as structure. MSH-18 is {@value #UTF_8} when any value is not ASCII, and empty (ASCII,
 * the default of HL7 table 0211) otherwise, as the CDC implementation guide expects.
 */
public final class Vxu {
  /** ORC-3.2: the namespace of our filler order numbers (vaccination ids). */
  static final String FILLER_NAMESPACE = "HMS-SYNC";

  private static final DateTimeFormatter BIRTH_DATE = DateTimeFormatter.BASIC_ISO_DATE;
  /** MSH-18 (HL7 table 0211) for a message with any character outside ASCII. */
  static final String UTF_8 = "UNICODE UTF-8";

  private Vxu() {}

  /**
   * Builds the VXU for one dose.
   *
   * <p>The result depends only on the arguments and the clock's instant: the same dose, control
   * id and time give the same message, so a retry may rebuild it. Times are written in the clock's
   * zone, with their UTC offset.
   *
   * @param header the connector's MSH settings and MRN authority
   * @param vaccination the dose
   * @param controlId MSH-10; the registry echoes it in its ACK's MSA-2 (see {@link AckReader})
   * @param clock gives MSH-7 (time of message) and the zone of every time in the message
   * @return the message in ER7 (pipe) form, each segment ended by a carriage return ({@code \r});
   *     it contains PHI, so it must not be logged
   */
  public static String build(
      MessageHeader header, VaccinationRecord vaccination, String controlId, Clock clock) {
    Objects.requireNonNull(header, "header must not be null");
    Objects.requireNonNull(vaccination, "vaccination must not be null");
    Objects.requireNonNull(clock, "clock must not be null");
    if (controlId == null || controlId.isBlank()) {
      throw new IllegalArgumentException(
          "controlId (MSH-10) must not be empty: the registry's ACK is matched to it");
    }
    PipeParser parser = Hl7.parser();
    VXU_V04 message = new VXU_V04(Hl7.models());
    message.setParser(parser);
    try {
      msh(message.getMSH(), header, controlId, clock);
      pid(message.getPID(), header, vaccination.patient());
      VXU_V04_ORDER order = message.getORDER();
      orc(order.getORC(), vaccination);
      rxa(order.getRXA(), vaccination, clock.getZone());
      if (vaccination.routeCode() != null) {
        rxr(order.getRXR(), vaccination);
      }
      String er7 = parser.encode(message);
      if (!isAscii(er7)) {
        // CDC IG r1.5 and HL7 table 0211: MSH-18 empty means ASCII; we send UTF-8 (the SOAP
        // envelope's encoding), so a message with any other character says so.
        message.getMSH().getMsh18_CharacterSet(0).setValue(UTF_8);
        er7 = parser.encode(message);
      }
      return er7;
    } catch (HL7Exception e) {
      // With validation off only our own formatting can be refused: a bug, not bad input.
      throw new IllegalStateException(
          "could not build the VXU for vaccination " + vaccination.vaccinationId(), e);
    }
  }

  /**
   * The message one segment a line, for people: {@code \r}, {@code \n} and {@code \r\n} separators
   * are all accepted, empty lines are dropped. The output still contains PHI: show it to the
   * operator who asked, never log it.
   */
  public static String pretty(String er7) {
    Objects.requireNonNull(er7, "er7 must not be null");
    return Arrays.stream(er7.split("\r\n|\r|\n"))
        .filter(segment -> !segment.isBlank())
        .collect(Collectors.joining("\n"));
  }

  /** Control characters are escaped by then, so any character above 0x7E is not ASCII. */
  private static boolean isAscii(String er7) {
    for (int index = 0; index < er7.length(); index++) {
      if (er7.charAt(index) > 0x7E) {
        return false;
      }
    }
    return true;
  }

  private static void msh(MSH msh, MessageHeader header, String controlId, Clock clock)
      throws HL7Exception {
    msh.getMsh1_FieldSeparator().setValue("|");
    msh.getMsh2_EncodingCharacters().setValue("^~\\&");
    msh.getMsh3_SendingApplication().getNamespaceID().setValue(header.sendingApplication());
    msh.getMsh4_SendingFacility().getNamespaceID().setValue(header.sendingFacility());
    if (header.receivingApplication() != null) {
      msh.getMsh5_ReceivingApplication().getNamespaceID().setValue(header.receivingApplication());
    }
    if (header.receivingFacility() != null) {
      msh.getMsh6_ReceivingFacility().getNamespaceID().setValue(header.receivingFacility());
    }
    String now = Hl7.dateTime(clock.instant(), clock.getZone());
    msh.getMsh7_DateTimeOfMessage().getTime().setValue(now);
    msh.getMsh9_MessageType().getMessageCode().setValue("VXU");
    msh.getMsh9_MessageType().getTriggerEvent().setValue("V04");
    msh.getMsh9_MessageType().getMessageStructure().setValue("VXU_V04");
    msh.getMsh10_MessageControlID().setValue(controlId);
    msh.getMsh11_ProcessingID().getProcessingID().setValue(header.processingId());
    msh.getMsh12_VersionID().getVersionID().setValue("2.5.1");
    // Accept acknowledgment only on error, application acknowledgment always (CDC guide).
    msh.getMsh15_AcceptAcknowledgmentType().setValue("ER");
    msh.getMsh16_ApplicationAcknowledgmentType().setValue("AL");
    msh.getMsh21_MessageProfileIdentifier(0).getEntityIdentifier().setValue("Z22");
    msh.getMsh21_MessageProfileIdentifier(0).getNamespaceID().setValue("CDCPHINVS");
  }

  private static void pid(PID pid, MessageHeader header, Patient patient) throws HL7Exception {
    pid.getPid1_SetIDPID().setValue("1");
    pid.getPid3_PatientIdentifierList(0).getIDNumber().setValue(patient.mrn());
    pid.getPid3_PatientIdentifierList(0)
        .getAssigningAuthority()
        .getNamespaceID()
        .setValue(header.mrnAuthority());
    pid.getPid3_PatientIdentifierList(0).getIdentifierTypeCode().setValue("MR");
    pid.getPid5_PatientName(0).getFamilyName().getSurname().setValue(patient.familyName());
    pid.getPid5_PatientName(0).getGivenName().setValue(patient.givenName());
    pid.getPid5_PatientName(0).getNameTypeCode().setValue("L"); // legal name
    pid.getPid7_DateTimeOfBirth().getTime().setValue(BIRTH_DATE.format(patient.birthDate()));
    if (patient.sex() != null) {
      pid.getPid8_AdministrativeSex().setValue(patient.sex());
    }
  }

  private static void orc(ORC orc, VaccinationRecord vaccination) throws HL7Exception {
    orc.getOrc1_OrderControl().setValue("RE"); // observations to follow
    orc.getOrc3_FillerOrderNumber().getEntityIdentifier().setValue(vaccination.vaccinationId());
    orc.getOrc3_FillerOrderNumber().getNamespaceID().setValue(FILLER_NAMESPACE);
  }

  private static void rxa(RXA rxa, VaccinationRecord vaccination, ZoneId zone) throws HL7Exception {
    String administered = Hl7.dateTime(vaccination.administeredAt(), zone);
    rxa.getRxa1_GiveSubIDCounter().setValue("0");
    rxa.getRxa2_AdministrationSubIDCounter().setValue("1");
    rxa.getRxa3_DateTimeStartOfAdministration().getTime().setValue(administered);
    rxa.getRxa4_DateTimeEndOfAdministration().getTime().setValue(administered);
    rxa.getRxa5_AdministeredCode().getIdentifier().setValue(vaccination.cvxCode());
    rxa.getRxa5_AdministeredCode().getText().setValue(vaccination.vaccineName());
    rxa.getRxa5_AdministeredCode().getNameOfCodingSystem().setValue("CVX");
    rxa.getRxa6_AdministeredAmount().setValue(vaccination.doseAmount());
    if (vaccination.doseUnits() != null) {
      rxa.getRxa7_AdministeredUnits().getIdentifier().setValue(vaccination.doseUnits());
      rxa.getRxa7_AdministeredUnits().getNameOfCodingSystem().setValue("UCUM");
    }
    // Information source: we report doses the clinic gave, never historical ones (NIP001).
    rxa.getRxa9_AdministrationNotes(0).getIdentifier().setValue("00");
    rxa.getRxa9_AdministrationNotes(0).getText().setValue("New immunization record");
    rxa.getRxa9_AdministrationNotes(0).getNameOfCodingSystem().setValue("NIP001");
    if (vaccination.facilityCode() != null) {
      rxa.getRxa11_AdministeredAtLocation().getFacility().getNamespaceID()
          .setValue(vaccination.facilityCode());
    }
    if (vaccination.lotNumber() != null) {
      rxa.getRxa15_SubstanceLotNumber(0).setValue(vaccination.lotNumber());
    }
    if (vaccination.mvxCode() != null) {
      rxa.getRxa17_SubstanceManufacturerName(0).getIdentifier().setValue(vaccination.mvxCode());
      rxa.getRxa17_SubstanceManufacturerName(0).getNameOfCodingSystem().setValue("MVX");
    } else if (vaccination.manufacturerName() != null) {
      rxa.getRxa17_SubstanceManufacturerName(0).getText().setValue(vaccination.manufacturerName());
    }
    rxa.getRxa20_CompletionStatus().setValue("CP"); // complete
    rxa.getRxa21_ActionCodeRXA().setValue(vaccination.action().code());
  }

  private static void rxr(RXR rxr, VaccinationRecord vaccination) throws HL7Exception {
    rxr.getRxr1_Route().getIdentifier().setValue(vaccination.routeCode());
    rxr.getRxr1_Route().getNameOfCodingSystem().setValue("HL70162");
    if (vaccination.siteCode() != null) {
      rxr.getRxr2_AdministrationSite().getIdentifier().setValue(vaccination.siteCode());
      rxr.getRxr2_AdministrationSite().getNameOfCodingSystem().setValue("HL70163");
    }
  }
}
