package org.hms.sync.connector.iis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import org.hms.sync.connector.iis.AckIssue.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Acknowledgments shaped like those state registries send, quirks included. */
class AckReaderTest {
  private static final String CONTROL_ID = "MSG-000123";
  private static final String MSH =
      "MSH|^~\\&|MYIIS|MYSTATE|HMS-SYNC|CLINIC-0042|20270301083006-0600||ACK^V04^ACK|ACK-5521|P"
          + "|2.5.1|||NE|NE|||||Z23^CDCPHINVS";

  @Test
  void application_accept_without_errors_is_accepted_with_no_warnings() {
    AckResult result = AckReader.read(MSH + "\rMSA|AA|MSG-000123\r", CONTROL_ID);

    assertThat(result).isEqualTo(new AckResult.Accepted(List.of()));
  }

  @Test
  void accept_with_a_warning_err_keeps_it_as_a_warning_even_with_newline_separators() {
    String ack =
        MSH
            + "\nMSA|AA|MSG-000123\n"
            + "ERR||RXA^1^17^1^1|103^Table value not found^HL70357|W|5^Table value not found"
            + "^HL70533|||Manufacturer code XYZ not recognized; ignored.\n";

    AckResult result = AckReader.read(ack, CONTROL_ID);

    assertThat(result).isInstanceOf(AckResult.Accepted.class);
    assertThat(((AckResult.Accepted) result).warnings())
        .containsExactly(
            new AckIssue(
                "RXA-17.1",
                "103^Table value not found",
                Severity.WARNING,
                "Manufacturer code XYZ not recognized; ignored.",
                "5^Table value not found"));
  }

  @Test
  void application_error_with_several_errs_is_rejected_with_every_issue_in_order() {
    String ack =
        String.join(
            "\r",
            MSH,
            "MSA|AE|MSG-000123",
            "ERR||RXA^1^5^1^1|103^Table value not found^HL70357|E|5^Table value not found^HL70533"
                + "|||Vaccine code 998877 is not a valid CVX code",
            "ERR||PID^1^7|102^Data type error^HL70357|E||||Birth date is after administration",
            "ERR||RXA^1^15|101^Required field missing^HL70357|W||||Lot number is required");

    AckResult result = AckReader.read(ack, CONTROL_ID);

    assertThat(result).isInstanceOf(AckResult.Rejected.class);
    assertThat(((AckResult.Rejected) result).errors())
        .containsExactly(
            new AckIssue(
                "RXA-5.1",
                "103^Table value not found",
                Severity.ERROR,
                "Vaccine code 998877 is not a valid CVX code",
                "5^Table value not found"),
            new AckIssue(
                "PID-7",
                "102^Data type error",
                Severity.ERROR,
                "Birth date is after administration"),
            new AckIssue(
                "RXA-15",
                "101^Required field missing",
                Severity.WARNING,
                "Lot number is required"));
  }

  @Test
  void application_reject_is_refused_and_keeps_its_errors() {
    String ack =
        MSH
            + "\rMSA|AR|MSG-000123|Registry unavailable\r"
            + "ERR|||207^Application internal error^HL70357|E||||Database offline, resend later\r";

    AckResult result = AckReader.read(ack, CONTROL_ID);

    assertThat(result)
        .isEqualTo(
            new AckResult.Refused(
                List.of(
                    new AckIssue(
                        "",
                        "207^Application internal error",
                        Severity.ERROR,
                        "Database offline, resend later")),
                "Registry unavailable"));
  }

  @ParameterizedTest
  @CsvSource({"AA, Accepted", "CA, Accepted", "AE, Rejected", "CE, Rejected", "AR, Refused",
    "CR, Refused"})
  void every_acknowledgment_code_has_its_verdict(String code, String verdict) {
    AckResult result = AckReader.read(MSH + "\rMSA|" + code + "|MSG-000123\r", CONTROL_ID);

    assertThat(result.getClass().getSimpleName()).isEqualTo(verdict);
  }

  @Test
  void commit_error_keeps_its_errs() {
    String ack =
        MSH + "\rMSA|CE|MSG-000123\rERR||MSH^1^9|200^Unsupported message type^HL70357|E\r";

    AckResult result = AckReader.read(ack, CONTROL_ID);

    assertThat(result)
        .isEqualTo(
            new AckResult.Rejected(
                List.of(
                    new AckIssue("MSH-9", "200^Unsupported message type", Severity.ERROR, ""))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "\r\n", "\u000b\u001c\r"})
  void empty_acknowledgment_is_unreadable(String empty) {
    assertThat(AckReader.read(empty, CONTROL_ID))
        .isEqualTo(new AckResult.Unreadable("the acknowledgment is empty"));
  }

  @Test
  void missing_acknowledgment_is_unreadable() {
    assertThat(AckReader.read(null, CONTROL_ID))
        .isEqualTo(new AckResult.Unreadable("the acknowledgment is empty"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
        "soap:Server fault for patient Lovelace",
        "PID|1||MRN-1001^^^HMS-EMR^MR||Lovelace^Ada",
        "MSH",
        "MSH|^~",
        "MSH|^~\\&|A|B\rMSA|",
      })
  void garbage_is_unreadable_and_the_reason_quotes_none_of_it(String garbage) {
    AckResult result = AckReader.read(garbage, CONTROL_ID);

    assertThat(result).isInstanceOf(AckResult.Unreadable.class);
    String reason = ((AckResult.Unreadable) result).reason();
    assertThat(reason).doesNotContain("Lovelace", "Ada", "MRN-1001", "Bad Gateway", "A|B");
  }

  @Test
  void a_url_encoded_acknowledgment_is_decoded_before_it_is_judged() {
    String ack = MSH + "\rMSA|AE|MSG-000123|Dose rejected\rERR||RXA^1^5|103|E\r";

    AckResult result = AckReader.read(URLEncoder.encode(ack, StandardCharsets.UTF_8), CONTROL_ID);

    assertThat(result).isInstanceOf(AckResult.Rejected.class);
    assertThat(((AckResult.Rejected) result).text()).isEqualTo("Dose rejected");
    assertThat(((AckResult.Rejected) result).errors()).extracting(AckIssue::location)
        .containsExactly("RXA-5");
  }

  @Test
  void a_percent_encoded_acknowledgment_keeps_its_plus_signs_when_spaces_are_written_as_20() {
    String ack = MSH.replace("-0600", "+0100") + "\rMSA|AA|MSG-000123|Dose recorded\r";
    String encoded = ack.replace("|", "%7C").replace("\r", "%0D").replace(" ", "%20")
        .replace("^", "%5E").replace("\\", "%5C").replace("&", "%26");

    AckResult result = AckReader.read(encoded, CONTROL_ID);

    assertThat(result).isEqualTo(new AckResult.Accepted(List.of(), "Dose recorded"));
    assertThat(AckReader.decoded(encoded)).isEqualTo(ack.strip());
  }

  @ParameterizedTest
  @ValueSource(strings = {"basic", "mime", "url"})
  void a_base64_encoded_acknowledgment_is_decoded_before_it_is_judged(String alphabet) {
    byte[] ack = (MSH + "\rMSA|AA|MSG-000123|Dose recorded \u00e9\r").getBytes(StandardCharsets.UTF_8);
    String encoded =
        switch (alphabet) {
          case "basic" -> Base64.getEncoder().encodeToString(ack);
          // line breaks every 76 characters
          case "mime" -> Base64.getMimeEncoder().encodeToString(ack);
          default -> Base64.getUrlEncoder().withoutPadding().encodeToString(ack);
        };

    AckResult result = AckReader.read("\n  " + encoded + "\n", CONTROL_ID);

    assertThat(result).isEqualTo(new AckResult.Accepted(List.of(), "Dose recorded \u00e9"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"MSH%7C%ZZ", "TVNIfA=!", "VEhJUyBJUyBOT1QgSEw3"})
  void text_that_only_looks_encoded_stays_unreadable(String text) {
    AckResult result = AckReader.read(text, CONTROL_ID);

    assertThat(result).isInstanceOf(AckResult.Unreadable.class);
    assertThat(AckReader.decoded(text)).isEqualTo(text);
  }

  @Test
  void a_plain_acknowledgment_with_percent_and_plus_signs_is_not_decoded() {
    String ack = MSH + "\rMSA|AA|MSG-000123|100%20done + more\r";

    AckResult result = AckReader.read(ack, CONTROL_ID);

    assertThat(result).isEqualTo(new AckResult.Accepted(List.of(), "100%20done + more"));
  }

  @Test
  void text_not_starting_with_msh_is_named_as_not_hl7() {
    AckResult result = AckReader.read("<html>502 Bad Gateway</html>", CONTROL_ID);

    assertThat(result)
        .isEqualTo(
            new AckResult.Unreadable(
                "the acknowledgment is not an HL7 v2 message: it does not start with an MSH"
                    + " segment (28 characters, not shown)"));
  }

  @Test
  void acknowledgment_without_msa_is_unreadable() {
    AckResult result = AckReader.read(MSH + "\rERR||RXA^1^5|103|E\r", CONTROL_ID);

    assertThat(result)
        .isEqualTo(
            new AckResult.Unreadable("the acknowledgment has no MSA segment, or an empty one"));
  }

  @Test
  void acknowledgment_of_another_message_is_unreadable_whatever_its_code() {
    AckResult result = AckReader.read(MSH + "\rMSA|AA|MSG-000122\r", CONTROL_ID);

    assertThat(result)
        .isEqualTo(
            new AckResult.Unreadable(
                "the acknowledgment is for another message: MSA-2 is 'MSG-000122', but the message"
                    + " sent had control id 'MSG-000123'"));
  }

  @Test
  void acknowledgment_without_a_control_id_is_unreadable() {
    AckResult result = AckReader.read(MSH + "\rMSA|AE\r", CONTROL_ID);

    assertThat(result).isInstanceOf(AckResult.Unreadable.class);
    assertThat(((AckResult.Unreadable) result).reason())
        .contains("MSA-2 is empty")
        .contains("'MSG-000123'");
  }

  @Test
  void a_long_foreign_control_id_is_not_quoted() {
    String foreign = "X".repeat(65);

    AckResult result = AckReader.read(MSH + "\rMSA|AA|" + foreign + "\r", CONTROL_ID);

    assertThat(((AckResult.Unreadable) result).reason())
        .contains("MSA-2 is not shown (65 characters)")
        .doesNotContain(foreign);
  }

  @Test
  void unknown_acknowledgment_code_is_unreadable() {
    AckResult result = AckReader.read(MSH + "\rMSA|OK|MSG-000123\r", CONTROL_ID);

    assertThat(result)
        .isEqualTo(
            new AckResult.Unreadable(
                "MSA-1 is 'OK', not an acknowledgment code (AA, AE, AR, CA, CE or CR)"));
  }

  @Test
  void legacy_err_1_is_read_when_the_v251_fields_are_empty() {
    String ack =
        "MSH|^~\\&|OLDIIS|STATE|HMS-SYNC|CLINIC|20270301||ACK^V04|881|P|2.3.1\r"
            + "MSA|AE|MSG-000123|Message rejected\r"
            + "ERR|RXA^1^5^103&Table value not found&HL70357~PID^1^7^102&Data type error\r";

    AckResult result = AckReader.read(ack, CONTROL_ID);

    assertThat(result)
        .isEqualTo(
            new AckResult.Rejected(
                List.of(
                    new AckIssue("RXA-5", "103^Table value not found", Severity.UNSPECIFIED, ""),
                    new AckIssue("PID-7", "102^Data type error", Severity.UNSPECIFIED, "")),
                "Message rejected"));
  }

  @Test
  void legacy_err_1_is_ignored_when_the_v251_fields_are_given() {
    String ack =
        MSH
            + "\rMSA|AE|MSG-000123\r"
            + "ERR|RXA^1^5^103|RXA^1^5|103^Table value not found^HL70357|E||||Unknown CVX\r";

    AckResult result = AckReader.read(ack, CONTROL_ID);

    assertThat(((AckResult.Rejected) result).errors())
        .containsExactly(
            new AckIssue("RXA-5", "103^Table value not found", Severity.ERROR, "Unknown CVX"));
  }

  @Test
  void windows_line_endings_mllp_framing_and_missing_trailing_fields_are_accepted() {
    String ack = "\u000b" + MSH + "\r\nMSA|AE|MSG-000123\r\nERR||RXA^1^6\r\n\u001c\r";

    AckResult result = AckReader.read(ack, CONTROL_ID);

    assertThat(result)
        .isEqualTo(new AckResult.Rejected(List.of(new AckIssue("RXA-6", "", null, ""))));
  }

  @Test
  void z_segments_anywhere_do_not_hide_errs() {
    String ack =
        String.join(
            "\r",
            MSH,
            "MSA|AE|MSG-000123",
            "ZAK|registry-ticket-77",
            "ERR||RXA^1^5|103^Table value not found^HL70357|E||||Unknown CVX",
            "ZER|1|internal trace",
            "ERR||RXA^1^17|103^Table value not found^HL70357|W||||Unknown MVX",
            "");

    AckResult result = AckReader.read(ack, CONTROL_ID);

    assertThat(((AckResult.Rejected) result).errors())
        .extracting(AckIssue::location)
        .containsExactly("RXA-5", "RXA-17");
  }

  @Test
  void an_err_before_the_msa_is_still_read() {
    String ack =
        String.join(
            "\n",
            MSH,
            "SFT|Registry Corp|4.2|IIS",
            "ERR||PID^1^7|102^Data type error^HL70357|E",
            "MSA|AE|MSG-000123");

    AckResult result = AckReader.read(ack, CONTROL_ID);

    assertThat(result)
        .isEqualTo(
            new AckResult.Rejected(
                List.of(new AckIssue("PID-7", "102^Data type error", Severity.ERROR, ""))));
  }

  @Test
  void locations_name_sequence_component_and_subcomponent_and_repetitions_are_joined() {
    String ack =
        MSH
            + "\rMSA|AE|MSG-000123\r"
            + "ERR||OBX^3^5^1^2^1~PID^1^11^1^5|102^Data type error^HL70357|E\r";

    AckResult result = AckReader.read(ack, CONTROL_ID);

    assertThat(((AckResult.Rejected) result).errors())
        .extracting(AckIssue::location)
        .containsExactly("OBX[3]-5.2.1, PID-11.5");
  }

  @Test
  void escape_sequences_in_the_user_message_are_decoded() {
    String ack =
        MSH
            + "\rMSA|AA|MSG-000123\r"
            + "ERR||RXA^1^15|101^Required field missing^HL70357|I||||"
            + "Lot \\T\\ expiry\\F\\missing\r";

    AckResult result = AckReader.read(ack, CONTROL_ID);

    assertThat(((AckResult.Accepted) result).warnings())
        .extracting(AckIssue::message, AckIssue::severity)
        .containsExactly(tuple("Lot & expiry|missing", Severity.INFORMATION));
  }

  @Test
  void msa_3_text_is_kept_with_the_verdict() {
    String ack = MSH + "\rMSA|AE|MSG-000123|Patient not found in registry\r";

    AckResult result = AckReader.read(ack, CONTROL_ID);

    assertThat(result)
        .isEqualTo(new AckResult.Rejected(List.of(), "Patient not found in registry"));
  }

  @Test
  void err_5_application_code_is_shown_in_the_summary() {
    String ack =
        MSH
            + "\rMSA|AE|MSG-000123\r"
            + "ERR||RXA^1^5|103^Table value not found^HL70357|E|IIS-17^Unknown CVX^L|||No CVX\r";

    AckIssue issue = ((AckResult.Rejected) AckReader.read(ack, CONTROL_ID)).errors().get(0);

    assertThat(issue.applicationCode()).isEqualTo("IIS-17^Unknown CVX");
    assertThat(issue.summary())
        .isEqualTo("RXA-5 103^Table value not found [IIS-17^Unknown CVX] (ERROR): No CVX");
  }

  @Test
  void an_empty_err_segment_adds_no_issue() {
    AckResult result = AckReader.read(MSH + "\rMSA|AA|MSG-000123\rERR|\rERR||||\r", CONTROL_ID);

    assertThat(result).isEqualTo(new AckResult.Accepted(List.of()));
  }

  @Test
  void values_that_break_the_data_types_are_still_read() {
    String ack =
        MSH
            + "\rMSA|AE|MSG-000123|||not-a-number\r"
            + "ERR||RXA^first^fifth|103^Table value not found^HL70357|E\r";

    AckResult result = AckReader.read(ack, CONTROL_ID);

    assertThat(((AckResult.Rejected) result).errors())
        .extracting(AckIssue::location)
        .containsExactly("RXA[first]-fifth");
  }

  /** The registry echoes MSH-10 as it arrived, escapes included; MSA-2 is read unescaped. */
  @Test
  void the_echo_of_a_built_vxus_control_id_matches_it_even_with_delimiters() {
    String controlId = "MSG^42|b";
    String vxu =
        Vxu.build(
            new MessageHeader("HMS-SYNC", "CLINIC-0042", "MYIIS", "MYSTATE", "P", "HMS-EMR"),
            VxuTest.vaccination(ActionCode.ADD),
            controlId,
            Clock.systemUTC());
    String sentMsh10 = vxu.substring(0, vxu.indexOf('\r')).split("\\|")[9];

    AckResult result = AckReader.read(MSH + "\rMSA|AA|" + sentMsh10 + "\r", controlId);

    assertThat(sentMsh10).isEqualTo("MSG\\S\\42\\F\\b");
    assertThat(result).isEqualTo(new AckResult.Accepted(List.of()));
  }

  @Test
  void results_cannot_be_changed_afterwards() {
    AckResult.Accepted result =
        (AckResult.Accepted)
            AckReader.read(MSH + "\rMSA|AA|MSG-000123\rERR||RXA^1^5|103|W\r", CONTROL_ID);

    assertThatThrownBy(() -> result.warnings().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(result.warnings()).hasSize(1);
  }

  @Test
  void an_empty_expected_control_id_is_a_programming_error() {
    assertThatThrownBy(() -> AckReader.read(MSH + "\rMSA|AA|X\r", " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expectedControlId");
  }

  @Test
  void issue_summary_is_one_readable_line() {
    assertThat(
            new AckIssue(
                    "RXA-5", "103^Table value not found", Severity.ERROR, "Vaccine code unknown")
                .summary())
        .isEqualTo("RXA-5 103^Table value not found (ERROR): Vaccine code unknown");
    assertThat(new AckIssue("", "", Severity.WARNING, "Check lot").summary())
        .isEqualTo("(WARNING): Check lot");
    assertThat(new AckIssue(null, null, null, null).summary()).isEqualTo("(no details given)");
  }
}
