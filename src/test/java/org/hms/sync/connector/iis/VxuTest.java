package org.hms.sync.connector.iis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v251.message.VXU_V04;
import ca.uhn.hl7v2.util.Terser;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Builds VXUs and reads them back with HAPI's own parser, under its default validation, so every
 * assertion is about the message a registry would receive.
 */
class VxuTest {
  private static final ZoneId CLINIC = ZoneId.of("America/Chicago");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2027-03-01T14:30:05Z"), CLINIC);
  private static final MessageHeader HEADER =
      new MessageHeader("HMS-SYNC", "CLINIC-0042", "MYIIS", "MYSTATE", "P", "HMS-EMR");
  private static final Patient PATIENT =
      new Patient("MRN-1001", "Ada", "Lovelace", LocalDate.of(2020, 1, 15), "F");

  @Test
  void message_header_names_vxu_v04_version_2_5_1_and_the_cdc_z22_profile() throws Exception {
    Terser vxu = parsed(Vxu.build(HEADER, vaccination(ActionCode.ADD), "MSG-000123", CLOCK));

    assertThat(vxu.get("/MSH-9-1")).isEqualTo("VXU");
    assertThat(vxu.get("/MSH-9-2")).isEqualTo("V04");
    assertThat(vxu.get("/MSH-9-3")).isEqualTo("VXU_V04");
    assertThat(vxu.get("/MSH-12")).isEqualTo("2.5.1");
    assertThat(vxu.get("/MSH-15")).isEqualTo("ER");
    assertThat(vxu.get("/MSH-16")).isEqualTo("AL");
    assertThat(vxu.get("/MSH-21-1")).isEqualTo("Z22");
    assertThat(vxu.get("/MSH-21-2")).isEqualTo("CDCPHINVS");
    assertThat(vxu.get("/MSH-10")).isEqualTo("MSG-000123");
    assertThat(vxu.get("/MSH-11")).isEqualTo("P");
  }

  @Test
  void message_header_addresses_the_registry_from_the_settings() throws Exception {
    Terser vxu = parsed(Vxu.build(HEADER, vaccination(ActionCode.ADD), "MSG-1", CLOCK));

    assertThat(vxu.get("/MSH-3")).isEqualTo("HMS-SYNC");
    assertThat(vxu.get("/MSH-4")).isEqualTo("CLINIC-0042");
    assertThat(vxu.get("/MSH-5")).isEqualTo("MYIIS");
    assertThat(vxu.get("/MSH-6")).isEqualTo("MYSTATE");
  }

  @Test
  void message_time_comes_from_the_clock_in_its_zone_with_the_offset() throws Exception {
    Terser vxu = parsed(Vxu.build(HEADER, vaccination(ActionCode.ADD), "MSG-1", CLOCK));

    // 14:30:05Z is 08:30:05 in Chicago (CST, UTC-6) on 1 March.
    assertThat(vxu.get("/MSH-7")).isEqualTo("20270301083005-0600");
  }

  @Test
  void training_processing_id_is_sent_as_given() throws Exception {
    MessageHeader training = new MessageHeader("A", "B", "C", "D", "T", "HMS-EMR");

    Terser vxu = parsed(Vxu.build(training, vaccination(ActionCode.ADD), "MSG-1", CLOCK));

    assertThat(vxu.get("/MSH-11")).isEqualTo("T");
  }

  @Test
  void patient_is_identified_by_mrn_legal_name_birth_date_and_sex() throws Exception {
    Terser vxu = parsed(Vxu.build(HEADER, vaccination(ActionCode.ADD), "MSG-1", CLOCK));

    assertThat(vxu.get("/PID-3-1")).isEqualTo("MRN-1001");
    assertThat(vxu.get("/PID-3-4")).isEqualTo("HMS-EMR");
    assertThat(vxu.get("/PID-3-5")).isEqualTo("MR");
    assertThat(vxu.get("/PID-5-1")).isEqualTo("Lovelace");
    assertThat(vxu.get("/PID-5-2")).isEqualTo("Ada");
    assertThat(vxu.get("/PID-5-7")).isEqualTo("L");
    assertThat(vxu.get("/PID-7")).isEqualTo("20200115");
    assertThat(vxu.get("/PID-8")).isEqualTo("F");
  }

  @Test
  void sex_is_left_empty_when_unknown() throws Exception {
    Patient unknownSex = new Patient("MRN-1001", "Ada", "Lovelace", LocalDate.of(2020, 1, 15));

    Terser vxu = parsed(Vxu.build(HEADER, vaccination(unknownSex, "IM", "LA"), "MSG-1", CLOCK));

    assertThat(vxu.get("/PID-8")).isNull();
    assertThat(vxu.get("/PID-3-1")).isEqualTo("MRN-1001");
  }

  @Test
  void order_carries_the_vaccination_id_as_filler_order_number() throws Exception {
    Terser vxu = parsed(Vxu.build(HEADER, vaccination(ActionCode.ADD), "MSG-1", CLOCK));

    assertThat(vxu.get("/ORDER/ORC-1")).isEqualTo("RE");
    assertThat(vxu.get("/ORDER/ORC-3-1")).isEqualTo("vac-7f3a");
    assertThat(vxu.get("/ORDER/ORC-3-2")).isEqualTo("HMS-SYNC");
  }

  @Test
  void administration_carries_time_vaccine_dose_lot_manufacturer_and_status() throws Exception {
    Terser vxu = parsed(Vxu.build(HEADER, vaccination(ActionCode.ADD), "MSG-1", CLOCK));

    assertThat(vxu.get("/ORDER/RXA-1")).isEqualTo("0");
    assertThat(vxu.get("/ORDER/RXA-2")).isEqualTo("1");
    // Given 2027-02-26T15:45:00Z: 09:45 in Chicago.
    assertThat(vxu.get("/ORDER/RXA-3")).isEqualTo("20270226094500-0600");
    assertThat(vxu.get("/ORDER/RXA-4")).isEqualTo("20270226094500-0600");
    assertThat(vxu.get("/ORDER/RXA-5-1")).isEqualTo("208");
    assertThat(vxu.get("/ORDER/RXA-5-2"))
        .isEqualTo("COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose");
    assertThat(vxu.get("/ORDER/RXA-5-3")).isEqualTo("CVX");
    assertThat(vxu.get("/ORDER/RXA-6")).isEqualTo("0.3");
    assertThat(vxu.get("/ORDER/RXA-15")).isEqualTo("EW0182");
    assertThat(vxu.get("/ORDER/RXA-17-1")).isEqualTo("PFR");
    assertThat(vxu.get("/ORDER/RXA-17-2")).isNull();
    assertThat(vxu.get("/ORDER/RXA-17-3")).isEqualTo("MVX");
    assertThat(vxu.get("/ORDER/RXA-20")).isEqualTo("CP");
    assertThat(vxu.get("/ORDER/RXA-21")).isEqualTo("A");
  }

  @Test
  void vaccine_name_is_optional() throws Exception {
    VaccinationRecord noName =
        new VaccinationRecord(
            "vac-1", PATIENT, Instant.parse("2027-02-26T15:45:00Z"), "141", null, "0.5", null,
            null, null, null, ActionCode.ADD);

    Terser vxu = parsed(Vxu.build(HEADER, noName, "MSG-1", CLOCK));

    assertThat(vxu.get("/ORDER/RXA-5-1")).isEqualTo("141");
    assertThat(vxu.get("/ORDER/RXA-5-2")).isNull();
    assertThat(vxu.get("/ORDER/RXA-5-3")).isEqualTo("CVX");
    assertThat(vxu.get("/ORDER/RXA-15")).isNull();
    assertThat(vxu.get("/ORDER/RXA-17-1")).isNull();
  }

  @Test
  void units_information_source_and_facility_are_sent_in_rxa_7_9_and_11() throws Exception {
    VaccinationRecord full =
        new VaccinationRecord(
            "vac-1", PATIENT, Instant.parse("2027-02-26T15:45:00Z"), "208", null, "0.3",
            "EW0182", "PFR", "IM", "LA", ActionCode.ADD, "mL", null, "CLINIC-12");

    Terser vxu = parsed(Vxu.build(HEADER, full, "MSG-1", CLOCK));

    assertThat(vxu.get("/ORDER/RXA-7-1")).isEqualTo("mL");
    assertThat(vxu.get("/ORDER/RXA-7-3")).isEqualTo("UCUM");
    assertThat(vxu.get("/ORDER/RXA-9-1")).isEqualTo("00");
    assertThat(vxu.get("/ORDER/RXA-9-3")).isEqualTo("NIP001");
    assertThat(vxu.get("/ORDER/RXA-11-4")).isEqualTo("CLINIC-12");
  }

  @Test
  void a_manufacturer_without_mvx_code_is_sent_by_name_only() throws Exception {
    VaccinationRecord named =
        new VaccinationRecord(
            "vac-1", PATIENT, Instant.parse("2027-02-26T15:45:00Z"), "208", null, "0.3", null,
            null, null, null, ActionCode.ADD, null, "Pfizer", null);

    Terser vxu = parsed(Vxu.build(HEADER, named, "MSG-1", CLOCK));

    assertThat(vxu.get("/ORDER/RXA-17-1")).isNull();
    assertThat(vxu.get("/ORDER/RXA-17-2")).isEqualTo("Pfizer");
    assertThat(vxu.get("/ORDER/RXA-17-3")).isNull();
    assertThat(vxu.get("/ORDER/RXA-7")).isNull();
    assertThat(vxu.get("/ORDER/RXA-11-4")).isNull();
  }

  @Test
  void receiving_application_and_facility_may_be_empty() throws Exception {
    MessageHeader open = new MessageHeader("HMS-SYNC", "CLINIC-0042", null, null, "T", "HMS");

    Terser vxu = parsed(Vxu.build(open, vaccination(ActionCode.ADD), "MSG-1", CLOCK));

    assertThat(vxu.get("/MSH-5")).isNull();
    assertThat(vxu.get("/MSH-6")).isNull();
    assertThat(vxu.get("/MSH-4")).isEqualTo("CLINIC-0042");
  }

  @Test
  void unknown_dose_amount_is_sent_as_999() throws Exception {
    VaccinationRecord unknownDose =
        new VaccinationRecord(
            "vac-1", PATIENT, Instant.parse("2027-02-26T15:45:00Z"), "141", null, null, "L1",
            "SKB", null, null, ActionCode.ADD);

    Terser vxu = parsed(Vxu.build(HEADER, unknownDose, "MSG-1", CLOCK));

    assertThat(unknownDose.doseAmount()).isEqualTo(VaccinationRecord.UNKNOWN_DOSE);
    assertThat(vxu.get("/ORDER/RXA-6")).isEqualTo("999");
  }

  @ParameterizedTest
  @CsvSource({"ADD, A", "UPDATE, U", "DELETE, D"})
  void action_code_is_sent_in_rxa_21(ActionCode action, String expected) throws Exception {
    Terser vxu = parsed(Vxu.build(HEADER, vaccination(action), "MSG-1", CLOCK));

    assertThat(vxu.get("/ORDER/RXA-21")).isEqualTo(expected);
  }

  @Test
  void route_and_site_are_sent_in_rxr_with_their_hl7_tables() throws Exception {
    Terser vxu = parsed(Vxu.build(HEADER, vaccination(PATIENT, "IM", "LD"), "MSG-1", CLOCK));

    assertThat(vxu.get("/ORDER/RXR-1-1")).isEqualTo("IM");
    assertThat(vxu.get("/ORDER/RXR-1-3")).isEqualTo("HL70162");
    assertThat(vxu.get("/ORDER/RXR-2-1")).isEqualTo("LD");
    assertThat(vxu.get("/ORDER/RXR-2-3")).isEqualTo("HL70163");
  }

  @Test
  void route_without_site_sends_rxr_with_route_only() throws Exception {
    String er7 = Vxu.build(HEADER, vaccination(PATIENT, "SC", null), "MSG-1", CLOCK);

    Terser vxu = parsed(er7);
    assertThat(vxu.get("/ORDER/RXR-1-1")).isEqualTo("SC");
    assertThat(vxu.get("/ORDER/RXR-2-1")).isNull();
    assertThat(segmentNames(er7)).containsExactly("MSH", "PID", "ORC", "RXA", "RXR");
  }

  @Test
  void no_rxr_segment_is_sent_without_a_route() throws Exception {
    String er7 = Vxu.build(HEADER, vaccination(PATIENT, null, "LA"), "MSG-1", CLOCK);

    assertThat(segmentNames(er7)).containsExactly("MSH", "PID", "ORC", "RXA");
    assertThat(er7).doesNotContain("HL70163");
  }

  @Test
  void segments_are_separated_by_carriage_returns_only() {
    String er7 = Vxu.build(HEADER, vaccination(ActionCode.ADD), "MSG-1", CLOCK);

    assertThat(er7).startsWith("MSH|^~\\&|").endsWith("\r").doesNotContain("\n");
    assertThat(segmentNames(er7)).containsExactly("MSH", "PID", "ORC", "RXA", "RXR");
  }

  @Test
  void delimiters_inside_values_are_escaped_and_read_back_unchanged() throws Exception {
    VaccinationRecord awkward =
        new VaccinationRecord(
            "vac|7^a~b", PATIENT, Instant.parse("2027-02-26T15:45:00Z"), "208", "A&B \\ C",
            "0.3", "LOT|9^X", "PFR", null, null, ActionCode.ADD);

    String er7 = Vxu.build(HEADER, awkward, "MSG-1", CLOCK);

    Terser vxu = parsed(er7);
    assertThat(vxu.get("/ORDER/ORC-3-1")).isEqualTo("vac|7^a~b");
    assertThat(vxu.get("/ORDER/ORC-3-2")).isEqualTo("HMS-SYNC");
    assertThat(vxu.get("/ORDER/RXA-5-2")).isEqualTo("A&B \\ C");
    assertThat(vxu.get("/ORDER/RXA-15")).isEqualTo("LOT|9^X");
    assertThat(vxu.get("/ORDER/RXA-20")).isEqualTo("CP");
    assertThat(er7).contains("LOT\\F\\9\\S\\X");
  }

  @Test
  void a_carriage_return_or_line_feed_in_a_value_is_escaped_as_one_byte_per_hex_pair() {
    VaccinationRecord multiline =
        new VaccinationRecord(
            "vac-7f3a", PATIENT, Instant.parse("2027-02-26T15:45:00Z"), "208",
            "COVID-19\rmRNA\nvaccine\r\n30 mcg", "0.3", "EW0182", "PFR", null, null,
            ActionCode.ADD);

    String er7 = Vxu.build(HEADER, multiline, "MSG-1", CLOCK);

    assertThat(er7)
        .contains("^COVID-19\\X0D\\mRNA\\X0A\\vaccine\\X0D\\\\X0A\\30 mcg^CVX")
        .doesNotContain("\\X000d\\")
        .doesNotContain("\n");
    assertThat(segmentNames(er7)).containsExactly("MSH", "PID", "ORC", "RXA");
  }

  @Test
  void a_value_with_a_carriage_return_cannot_start_a_segment_at_the_registry() throws Exception {
    VaccinationRecord injected =
        new VaccinationRecord(
            "vac-7f3a", PATIENT, Instant.parse("2027-02-26T15:45:00Z"), "208", null, "0.3",
            "EW0182\rPID|2||EVIL", "PFR", null, null, ActionCode.ADD);

    String er7 = Vxu.build(HEADER, injected, "MSG-1", CLOCK);

    assertThat(segmentNames(er7)).containsExactly("MSH", "PID", "ORC", "RXA");
    assertThat(parsed(er7).get("/ORDER/RXA-15")).isEqualTo("EW0182\\X0D\\PID|2||EVIL");
  }

  @Test
  void other_control_characters_are_escaped_as_hex_too() {
    VaccinationRecord framed =
        new VaccinationRecord(
            "vac-7f3a", PATIENT, Instant.parse("2027-02-26T15:45:00Z"), "208", null, "0.3",
            "A\u000bB\u001cC\tD", "PFR", null, null, ActionCode.ADD);

    String er7 = Vxu.build(HEADER, framed, "MSG-1", CLOCK);

    assertThat(er7).contains("|A\\X0B\\B\\X1C\\C\\X09\\D|");
  }

  /** HAPI leaves a value's {@code \X...\} or {@code \.br\} as it is; our values are text. */
  @Test
  void a_backslash_in_a_value_is_always_escaped_even_when_it_looks_like_an_escape_sequence()
      throws Exception {
    VaccinationRecord lot =
        new VaccinationRecord(
            "vac-7f3a", PATIENT, Instant.parse("2027-02-26T15:45:00Z"), "208", null, "0.3",
            "LOT\\X0D\\9\\.br\\", "PFR", null, null, ActionCode.ADD);

    String er7 = Vxu.build(HEADER, lot, "MSG-1", CLOCK);

    assertThat(er7).contains("|LOT\\E\\X0D\\E\\9\\E\\.br\\E\\|");
    assertThat(parsed(er7).get("/ORDER/RXA-15")).isEqualTo("LOT\\X0D\\9\\.br\\");
  }

  @Test
  void msh_18_says_unicode_utf_8_when_any_value_is_not_ascii() throws Exception {
    Patient zoe = new Patient("MRN-1001", "Zo\u00eb", "Lovelace", LocalDate.of(2020, 1, 15), "F");

    String er7 = Vxu.build(HEADER, vaccination(zoe, "IM", "LA"), "MSG-1", CLOCK);

    Terser vxu = parsed(er7);
    assertThat(vxu.get("/MSH-18")).isEqualTo("UNICODE UTF-8");
    assertThat(vxu.get("/PID-5-2")).isEqualTo("Zo\u00eb");
  }

  @Test
  void msh_18_is_empty_when_every_value_is_ascii() throws Exception {
    String er7 = Vxu.build(HEADER, vaccination(ActionCode.ADD), "MSG-1", CLOCK);

    assertThat(parsed(er7).get("/MSH-18")).isNull();
    assertThat(er7.split("\r")[0]).doesNotContain("UNICODE");
  }

  @Test
  void the_same_dose_control_id_and_time_build_the_same_message() {
    String first = Vxu.build(HEADER, vaccination(ActionCode.UPDATE), "MSG-9", CLOCK);
    String second = Vxu.build(HEADER, vaccination(ActionCode.UPDATE), "MSG-9", CLOCK);

    assertThat(second).isEqualTo(first);
  }

  @Test
  void message_parses_as_a_v251_vxu_v04() throws Exception {
    try (HapiContext context = new DefaultHapiContext()) {
      Message message =
          context
              .getPipeParser()
              .parse(Vxu.build(HEADER, vaccination(ActionCode.ADD), "MSG-1", CLOCK));

      assertThat(message).isInstanceOf(VXU_V04.class);
      assertThat(message.getVersion()).isEqualTo("2.5.1");
    }
  }

  @Test
  void pretty_shows_one_segment_a_line() {
    String er7 = Vxu.build(HEADER, vaccination(ActionCode.ADD), "MSG-1", CLOCK);

    String pretty = Vxu.pretty(er7);

    assertThat(pretty.lines().map(line -> line.substring(0, 3)))
        .containsExactly("MSH", "PID", "ORC", "RXA", "RXR");
    assertThat(pretty).doesNotContain("\r").doesNotEndWith("\n");
    assertThat(pretty.replace("\n", "\r") + "\r").isEqualTo(er7);
  }

  @Test
  void pretty_accepts_any_segment_separator_and_drops_empty_lines() {
    assertThat(Vxu.pretty("MSH|^~\\&|A\r\nMSA|AA|1\n\nERR||\r"))
        .isEqualTo("MSH|^~\\&|A\nMSA|AA|1\nERR||");
  }

  @Test
  void an_empty_control_id_is_refused() {
    assertThatThrownBy(() -> Vxu.build(HEADER, vaccination(ActionCode.ADD), " ", CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("controlId (MSH-10)");
  }

  static VaccinationRecord vaccination(ActionCode action) {
    return new VaccinationRecord(
        "vac-7f3a",
        PATIENT,
        Instant.parse("2027-02-26T15:45:00Z"),
        "208",
        "COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose",
        "0.3",
        "EW0182",
        "PFR",
        "IM",
        "LA",
        action);
  }

  private static VaccinationRecord vaccination(Patient patient, String route, String site) {
    return new VaccinationRecord(
        "vac-7f3a", patient, Instant.parse("2027-02-26T15:45:00Z"), "208", null, "0.3",
        "EW0182", "PFR", route, site, ActionCode.ADD);
  }

  /** Parsed by HAPI with its default validation on, independently of the code under test. */
  private static Terser parsed(String er7) throws HL7Exception, IOException {
    try (HapiContext context = new DefaultHapiContext()) {
      return new Terser(context.getPipeParser().parse(er7));
    }
  }

  private static String[] segmentNames(String er7) {
    return er7.lines().map(segment -> segment.substring(0, 3)).toArray(String[]::new);
  }
}
