package org.hms.sync.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hms.sync.outbox.EventTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MappingTest {

  @TempDir Path dir;

  private final ObjectNode input =
      MappingInput.of(SampleEvents.event(EventTypes.CREATED, 3), null);

  @Test
  void mapping_shapes_the_input_into_the_external_json() {
    Mapping mapping = Mapping.compile(SampleEvents.mappingFile("iis-appointment.jsonata"));

    JsonNode body = mapping.evaluate(input);

    assertThat(body.path("clinicCode").asText()).isEqualTo(SampleEvents.CLINIC_CODE);
    assertThat(body.path("appointmentId").asText()).isEqualTo(SampleEvents.APPOINTMENT_ID);
    assertThat(body.path("patient").path("mrn").asText()).isEqualTo(SampleEvents.PATIENT_MRN);
    assertThat(body.path("slotTime").asText()).isEqualTo("2027-03-01T09:00:00Z");
    assertThat(body.path("seq").isIntegralNumber()).as("seq stays a whole number").isTrue();
    assertThat(body.path("seq").asLong()).isEqualTo(3);
    assertThat(body.path("eventId").asText()).isEqualTo("event-3");
    assertThat(body.has("vaccine")).as("no dose given: the conditional leaves the key out").isFalse();
  }

  @Test
  void json_null_in_the_input_stays_null_in_the_output() {
    Mapping mapping = Mapping.compile(dir.resolve("nulls.jsonata"), "{\"id\": externalId}");

    JsonNode body = mapping.evaluate(input);

    assertThat(body.has("id")).isTrue();
    assertThat(body.get("id").isNull()).isTrue();
  }

  @Test
  void mapping_that_yields_nothing_returns_null() {
    Mapping mapping = Mapping.compile(SampleEvents.mappingFile("completed-only.jsonata"));

    assertThat(mapping.evaluate(input)).isNull();
  }

  @Test
  void mapping_of_a_missing_field_returns_null() {
    Mapping mapping = Mapping.compile(dir.resolve("missing.jsonata"), "appointment.nothing.here");

    assertThat(mapping.evaluate(input)).isNull();
  }

  @Test
  void syntax_error_names_the_file_line_and_column() {
    Path file = SampleEvents.mappingFile("broken-syntax.jsonata");

    assertThatThrownBy(() -> Mapping.compile(file))
        .isInstanceOf(MappingException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("does not compile")
        .hasMessageMatching("(?s).*line 3, column \\d+.*")
        .hasMessageContaining("\"]\"");
  }

  /**
   * The file's line 3 is {@code   "slotTime": ]}: the offending {@code ]} is in column 15. JSONata
   * reports the position just after the token, and {@code Mapping.describe} counts up to it.
   */
  @Test
  void syntax_error_column_points_at_the_offending_token() {
    Path file = SampleEvents.mappingFile("broken-syntax.jsonata");

    assertThatThrownBy(() -> Mapping.compile(file))
        .isInstanceOf(MappingException.class)
        .hasMessageContaining("line 3, column 15");
  }

  @Test
  void syntax_error_on_the_first_line_counts_from_column_one() throws Exception {
    Path file = Files.writeString(dir.resolve("first-line.jsonata"), "{\"a\": 1 \"b\": 2}");

    assertThatThrownBy(() -> Mapping.compile(file))
        .isInstanceOf(MappingException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("line 1, column ");
  }

  @Test
  void empty_mapping_file_does_not_compile() throws Exception {
    Path file = Files.writeString(dir.resolve("empty.jsonata"), "");

    assertThatThrownBy(() -> Mapping.compile(file))
        .isInstanceOf(MappingException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void missing_mapping_file_names_the_path() {
    Path file = dir.resolve("not-there.jsonata");

    assertThatThrownBy(() -> Mapping.compile(file))
        .isInstanceOf(MappingException.class)
        .hasMessageContaining("cannot read mapping")
        .hasMessageContaining(file.toString());
  }

  @Test
  void compiled_mapping_remembers_its_file() {
    Path file = SampleEvents.mappingFile("iis-appointment.jsonata");

    assertThat(Mapping.compile(file).file()).isEqualTo(file);
  }

  @Test
  void evaluation_error_names_the_file_and_the_jsonata_error() {
    Path file = SampleEvents.mappingFile("fails-at-evaluation.jsonata");
    Mapping mapping = Mapping.compile(file);

    assertThatThrownBy(() -> mapping.evaluate(input))
        .isInstanceOf(MappingException.class)
        .hasMessageContaining("mapping " + file + " failed")
        .hasMessageContaining("line 3, column");
  }

  /**
   * {@link Mapping#evaluate} promises that evaluation errors "never echo input values": the message
   * becomes the delivery's failure reason, which is stored and shown, so it must not carry PHI.
   */
  @Test
  void evaluation_error_does_not_echo_patient_data() {
    Mapping comparison =
        Mapping.compile(
            dir.resolve("compare.jsonata"), "{\"late\": appointment.patient.familyName < 3}");
    Mapping dateOfName =
        Mapping.compile(
            dir.resolve("date.jsonata"), "{\"at\": $fromMillis(appointment.patient.familyName)}");

    assertThatThrownBy(() -> comparison.evaluate(input))
        .isInstanceOf(MappingException.class)
        .hasMessageContaining("compare.jsonata")
        .hasMessageNotContaining(SampleEvents.PATIENT_FAMILY_NAME);
    assertThatThrownBy(() -> dateOfName.evaluate(input))
        .isInstanceOf(MappingException.class)
        .hasMessageContaining("date.jsonata")
        .hasMessageNotContaining(SampleEvents.PATIENT_FAMILY_NAME)
        .hasMessageNotContaining(SampleEvents.PATIENT_MRN);
  }

  @Test
  void runtime_failure_inside_jsonata_becomes_a_mapping_exception() {
    Mapping mapping =
        Mapping.compile(
            dir.resolve("number.jsonata"), "{\"n\": $number(appointment.location.name)}");

    assertThatThrownBy(() -> mapping.evaluate(input))
        .isInstanceOf(MappingException.class)
        .hasMessageContaining("number.jsonata");
  }

  /** A mapping is JSON out; a function value is a mistake in the mapping, not a body to send. */
  @Test
  void mapping_that_yields_a_function_is_refused() {
    Mapping mapping = Mapping.compile(dir.resolve("lambda.jsonata"), "function($x) { $x }");

    assertThatThrownBy(() -> mapping.evaluate(input)).isInstanceOf(MappingException.class);
  }
}
