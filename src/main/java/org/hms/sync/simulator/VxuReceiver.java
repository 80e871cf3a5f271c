package org.hms.sync.simulator;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.v251.group.VXU_V04_ORDER;
import ca.uhn.hl7v2.model.v251.message.ACK;
import ca.uhn.hl7v2.model.v251.message.VXU_V04;
import ca.uhn.hl7v2.model.v251.segment.ERR;
import ca.uhn.hl7v2.model.v251.segment.MSH;
import ca.uhn.hl7v2.model.v251.segment.RXA;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import java.io.IOException;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The stand-in registry's HL7 side: reads a VXU^V04 (v2.5.1) with HAPI, checks it lightly, hands
 * its vaccinations to {@link Vaccinations} and answers the ACK, also built with HAPI.
 *
 * <p>Checked: MSH-9 is {@code VXU^V04}; every ORDER has ORC-3.1, RXA-5.1 (the CVX code) and an
 * RXA-21 of {@code A}, {@code U} or {@code D} (empty means {@code A}); {@code U} and {@code D} name
 * an ORC-3 the registry holds. Everything else (PID, RXR, OBX, other MSH fields) is read leniently
 * and not kept. A VXU that passes is applied and answered {@code AA}; one that does not changes
 * nothing and is answered {@code AE} with one ERR segment per problem (ERR-2 location, ERR-3 code
 * from HL7 table 0357, ERR-4 {@code E}, ERR-8 what to do). MSA-2 always echoes MSH-10.
 *
 * <p>No ERR text holds patient data: it names fields, codes and ORC-3 values only.
 */
final class VxuReceiver {

  private static final Set<String> ACTIONS = Set.of("A", "U", "D");
  private static final DateTimeFormatter DTM = DateTimeFormatter.ofPattern("yyyyMMddHHmmssxx");

  /**
   * No HAPI validation: the checks above are the registry's, and a lenient reader is what a
   * stand-in should be. Control ids of ACKs come from memory: HAPI's default generator writes a
   * file in the working directory. Only read after construction, so threads may share it.
   */
  private static final HapiContext CONTEXT = context();

  private final Vaccinations vaccinations;
  private final Clock clock;

  VxuReceiver(Vaccinations vaccinations, Clock clock) {
    this.vaccinations = vaccinations;
    this.clock = clock;
  }

  /**
   * Reads one HL7 message and answers its acknowledgment. Never throws on bad input: a message that
   * cannot be read is answered {@code AE} as well.
   */
  String receive(String hl7Message) {
    String text = normalized(hl7Message);
    VXU_V04 vxu;
    try {
      vxu = parsed(text);
    } catch (HL7Exception unreadable) {
      // HAPI's message quotes the text, which holds patient data: it stays out of the ERR.
      return unreadableAck(text);
    }
    try {
      List<AckError> errors = new ArrayList<>(messageTypeErrors(vxu.getMSH()));
      List<VxuOrder> orders = new ArrayList<>();
      if (errors.isEmpty()) {
        orders.addAll(orders(vxu, errors));
      }
      if (errors.isEmpty()) {
        errors.addAll(vaccinations.apply(orders));
      }
      return ack(vxu, errors);
    } catch (HL7Exception | IOException unexpected) {
      // Reading fields of a parsed message and encoding an ACK fail only through a HAPI bug.
      throw new IllegalStateException(
          "IIS simulator could not read a parsed VXU or write its ACK: " + unexpected.getMessage(),
          unexpected);
    }
  }

  /** One segment separator ({@code \r}): XML may have turned it into line feeds on the way. */
  private static String normalized(String hl7Message) {
    String text = hl7Message == null ? "" : hl7Message.replace("\uFEFF", "").strip();
    return text.replace("\r\n", "\r").replace('\n', '\r');
  }

  /** Into a v2.5.1 VXU whatever MSH-9 says, so a wrong message type is reported, not thrown. */
  private static VXU_V04 parsed(String text) throws HL7Exception {
    if (!text.startsWith("MSH")) {
      throw new HL7Exception("the message does not start with an MSH segment");
    }
    PipeParser parser = CONTEXT.getPipeParser();
    VXU_V04 vxu = new VXU_V04(CONTEXT.getModelClassFactory());
    vxu.setParser(parser);
    parser.parse(vxu, text);
    return vxu;
  }

  private static List<AckError> messageTypeErrors(MSH msh) {
    String code = value(msh.getMsh9_MessageType().getMsg1_MessageCode().getValue());
    String event = value(msh.getMsh9_MessageType().getMsg2_TriggerEvent().getValue());
    if (code.equals("VXU") && event.equals("V04")) {
      return List.of();
    }
    return List.of(
        new AckError(
            "MSH",
            1,
            9,
            "200",
            "Unsupported message type",
            "MSH-9 is '"
                + code
                + "^"
                + event
                + "'; this registry takes VXU^V04 (unsolicited vaccination record update)"));
  }

  private static List<VxuOrder> orders(VXU_V04 vxu, List<AckError> errors) throws HL7Exception {
    List<VxuOrder> orders = new ArrayList<>();
    int count = vxu.getORDERReps();
    if (count == 0) {
      errors.add(
          AckError.requiredFieldMissing(
              "ORC", 1, 3, "The VXU has no ORC and RXA segments; send one ORDER per vaccination"));
      return orders;
    }
    for (int index = 0; index < count; index++) {
      VXU_V04_ORDER order = vxu.getORDER(index);
      int sequence = index + 1;
      String vaccinationId =
          value(order.getORC().getOrc3_FillerOrderNumber().getEntityIdentifier().getValue());
      RXA rxa = order.getRXA();
      String cvxCode = value(rxa.getRxa5_AdministeredCode().getIdentifier().getValue());
      String lotNumber =
          rxa.getRxa15_SubstanceLotNumberReps() == 0
              ? ""
              : value(rxa.getRxa15_SubstanceLotNumber(0).getValue());
      String action = value(rxa.getRxa21_ActionCodeRXA().getValue());
      boolean valid = true;
      if (vaccinationId.isEmpty()) {
        errors.add(
            AckError.requiredFieldMissing(
                "ORC",
                sequence,
                3,
                "ORC-3 (filler order number) is empty; it identifies the vaccination for later"
                    + " updates and deletes"));
        valid = false;
      }
      if (cvxCode.isEmpty()) {
        errors.add(
            AckError.requiredFieldMissing(
                "RXA",
                sequence,
                5,
                "RXA-5 (administered code) has no CVX code; send the vaccine's CVX code, or 998"
                    + " when no vaccine was administered"));
        valid = false;
      }
      if (action.isEmpty()) {
        action = "A";
      } else if (!ACTIONS.contains(action)) {
        errors.add(
            AckError.tableValueNotFound(
                "RXA",
                sequence,
                21,
                "RXA-21 (action code) is '"
                    + action
                    + "'; this registry takes A (add), U (update) or D (delete)"));
        valid = false;
      }
      if (valid) {
        orders.add(
            new VxuOrder(
                sequence, vaccinationId, cvxCode, lotNumber.isEmpty() ? null : lotNumber, action));
      }
    }
    return orders;
  }

  private String ack(VXU_V04 vxu, List<AckError> errors) throws HL7Exception, IOException {
    ACK ack = (ACK) vxu.generateACK();
    stamp(ack);
    if (!errors.isEmpty()) {
      ack.getMSA().getMsa1_AcknowledgmentCode().setValue(AcknowledgmentCode.AE.name());
      writeErrors(ack, errors);
    }
    return ack.encode();
  }

  /** An AE for text that is no readable HL7 v2 message; MSA-2 echoes its MSH-10 if it has one. */
  private String unreadableAck(String text) {
    try {
      PipeParser parser = CONTEXT.getPipeParser();
      ACK ack = new ACK(CONTEXT.getModelClassFactory());
      ack.setParser(parser);
      ack.initQuickstart("ACK", "V04", "P");
      stamp(ack);
      ack.getMSA().getMsa1_AcknowledgmentCode().setValue(AcknowledgmentCode.AE.name());
      String controlId = text.startsWith("MSH") ? parser.getAckID(text) : null;
      ack.getMSA().getMsa2_MessageControlID().setValue(controlId == null ? "" : controlId);
      writeErrors(
          ack,
          List.of(
              new AckError(
                  "MSH",
                  1,
                  0,
                  "100",
                  "Segment sequence error",
                  "The message is not a readable HL7 v2 message ("
                      + text.length()
                      + " characters); send a VXU^V04 that starts with an MSH segment")));
      return ack.encode();
    } catch (HL7Exception | IOException unexpected) {
      throw new IllegalStateException(
          "IIS simulator could not write an ACK: " + unexpected.getMessage(), unexpected);
    }
  }

  /** MSH-7 from the simulator's clock, not HAPI's. */
  private void stamp(ACK ack) throws HL7Exception {
    ack.getMSH()
        .getMsh7_DateTimeOfMessage()
        .getTime()
        .setValue(DTM.format(clock.instant().atZone(clock.getZone())));
  }

  private static void writeErrors(ACK ack, List<AckError> errors) throws HL7Exception {
    for (int index = 0; index < errors.size(); index++) {
      AckError error = errors.get(index);
      ERR err = ack.getERR(index);
      err.getErr2_ErrorLocation(0).getSegmentID().setValue(error.segment());
      err.getErr2_ErrorLocation(0).getSegmentSequence().setValue(String.valueOf(error.sequence()));
      if (error.field() > 0) {
        err.getErr2_ErrorLocation(0).getFieldPosition().setValue(String.valueOf(error.field()));
      }
      err.getErr3_HL7ErrorCode().getIdentifier().setValue(error.code());
      err.getErr3_HL7ErrorCode().getText().setValue(error.codeText());
      err.getErr3_HL7ErrorCode().getNameOfCodingSystem().setValue("HL70357");
      err.getErr4_Severity().setValue("E");
      err.getErr8_UserMessage().setValue(error.message());
    }
  }

  private static String value(String value) {
    return value == null ? "" : value.trim();
  }

  private static HapiContext context() {
    HapiContext context = new DefaultHapiContext();
    context.setValidationContext(ValidationContextFactory.noValidation());
    context.getParserConfiguration().setIdGenerator(new InMemoryIDGenerator());
    return context;
  }
}
