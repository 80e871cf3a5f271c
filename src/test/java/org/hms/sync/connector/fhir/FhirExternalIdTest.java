package org.hms.sync.connector.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FhirExternalIdTest {

  @Test
  void a_versioned_reference_reads_as_id_and_version_and_writes_back_the_same() {
    FhirExternalId id = FhirExternalId.parse("Appointment/42/_history/7");

    assertThat(id).isEqualTo(new FhirExternalId("42", "7"));
    assertThat(id.toString()).isEqualTo("Appointment/42/_history/7");
  }

  @Test
  void a_bare_id_a_relative_reference_and_an_absolute_url_are_read_too() {
    assertThat(FhirExternalId.parse("42")).isEqualTo(new FhirExternalId("42", null));
    assertThat(FhirExternalId.parse("Appointment/42")).isEqualTo(new FhirExternalId("42", null));
    assertThat(FhirExternalId.parse("https://fhir.example/r4/Appointment/42/_history/3"))
        .isEqualTo(new FhirExternalId("42", "3"));
    assertThat(new FhirExternalId("42", null).toString()).isEqualTo("Appointment/42");
  }

  @Test
  void text_without_a_logical_id_is_refused_with_the_value() {
    assertThatThrownBy(() -> FhirExternalId.parse(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> FhirExternalId.parse("_history/3/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'_history/3/x'");
  }
}
