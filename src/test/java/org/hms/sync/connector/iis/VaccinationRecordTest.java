package org.hms.sync.connector.iis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class VaccinationRecordTest {
  private static final Patient PATIENT =
      new Patient("MRN-1001", "Ada", "Lovelace", LocalDate.of(2020, 1, 15), "F");

  @Test
  void patient_to_string_shows_no_phi() {
    VaccinationRecord vaccination = VxuTest.vaccination(ActionCode.ADD);

    assertThat(PATIENT.toString()).isEqualTo("Patient[PHI redacted]");
    assertThat(vaccination.toString())
        .contains("vac-7f3a")
        .doesNotContain("MRN-1001", "Ada", "Lovelace", "2020");
  }

  @Test
  void an_empty_patient_component_is_named_without_its_value() {
    assertThatThrownBy(() -> new Patient("MRN-1001", " ", "Lovelace", LocalDate.of(2020, 1, 15)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("patient givenName must not be empty");
    assertThatThrownBy(() -> new Patient("MRN-1001", "Ada", "Lovelace", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("patient birthDate must not be null");
  }

  @Test
  void a_blank_sex_counts_as_unknown() {
    assertThat(new Patient("M", "A", "L", LocalDate.of(2020, 1, 15), "  ").sex()).isNull();
  }

  @Test
  void a_dose_amount_that_is_not_a_number_is_refused_with_the_value() {
    assertThatThrownBy(() -> withDose("0.3 mL"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("doseAmount must be a decimal number")
        .hasMessageContaining("'0.3 mL'");
  }

  @Test
  void decimal_dose_amounts_are_kept_and_blank_means_unknown() {
    assertThat(withDose("0.5").doseAmount()).isEqualTo("0.5");
    assertThat(withDose(".25").doseAmount()).isEqualTo(".25");
    assertThat(withDose("1").doseAmount()).isEqualTo("1");
    assertThat(withDose(" ").doseAmount()).isEqualTo("999");
  }

  @Test
  void blank_optional_values_become_null() {
    VaccinationRecord vaccination =
        new VaccinationRecord(
            "vac-1", PATIENT, Instant.EPOCH, "208", "", "0.3", " ", "", " ", "", ActionCode.ADD);

    assertThat(vaccination.vaccineName()).isNull();
    assertThat(vaccination.lotNumber()).isNull();
    assertThat(vaccination.mvxCode()).isNull();
    assertThat(vaccination.routeCode()).isNull();
    assertThat(vaccination.siteCode()).isNull();
  }

  @Test
  void vaccination_id_cvx_code_and_action_are_required() {
    assertThatThrownBy(
            () ->
                new VaccinationRecord(
                    "", PATIENT, Instant.EPOCH, "208", null, null, null, null, null, null,
                    ActionCode.ADD))
        .hasMessage("vaccinationId must not be empty");
    assertThatThrownBy(
            () ->
                new VaccinationRecord(
                    "vac-1", PATIENT, Instant.EPOCH, " ", null, null, null, null, null, null,
                    ActionCode.ADD))
        .hasMessage("cvxCode must not be empty");
    assertThatThrownBy(
            () ->
                new VaccinationRecord(
                    "vac-1", PATIENT, Instant.EPOCH, "208", null, null, null, null, null, null,
                    null))
        .hasMessageContaining("action must not be null");
  }

  @Test
  void processing_id_must_be_production_training_or_debugging() {
    assertThatThrownBy(() -> new MessageHeader("A", "B", "C", "D", "X", "E"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "processingId must be P (production), T (training) or D (debugging); was 'X'");
    assertThat(new MessageHeader("A", "B", "C", "D", "D", "E").processingId()).isEqualTo("D");
  }

  @Test
  void receiving_application_and_facility_may_be_left_empty() {
    MessageHeader header = new MessageHeader("A", "B", null, " ", "P", "E");

    assertThat(header.receivingApplication()).isNull();
    assertThat(header.receivingFacility()).isNull();
  }

  @Test
  void every_header_setting_is_required() {
    assertThatThrownBy(() -> new MessageHeader("A", "", "C", "D", "P", "E"))
        .hasMessage("sendingFacility must not be empty");
    assertThatThrownBy(() -> new MessageHeader("A", "B", "C", "D", "P", null))
        .hasMessage("mrnAuthority must not be empty");
  }

  private static VaccinationRecord withDose(String doseAmount) {
    return new VaccinationRecord(
        "vac-1", PATIENT, Instant.EPOCH, "208", null, doseAmount, null, null, null, null,
        ActionCode.ADD);
  }
}
