package org.hms.sync.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.hms.sync.json.Json;
import org.hms.sync.outbox.EventTypes;
import org.junit.jupiter.api.Test;

/**
 * The input JSONata sees is built without Jackson's {@code convertValue}; it must be the same data
 * (maps, lists, strings, numbers of the same classes, booleans, nulls), and the body written
 * straight to text must be what writing the JSON tree gives.
 */
class MappingPlainDataTest {

  @Property(tries = 300)
  void plain_data_is_what_jackson_converts_the_tree_to(@ForAll("json") String text) {
    JsonNode tree = Json.read(text);

    Object plain = Mapping.plain(tree);
    Object jackson = Json.MAPPER.convertValue(tree, Object.class);

    assertThat(plain).isEqualTo(jackson);
    assertThat(classesOf(plain)).isEqualTo(classesOf(jackson));
  }

  @Property(tries = 200)
  void body_text_is_the_written_tree(@ForAll("json") String appointmentExtra) {
    Mapping mapping =
        Mapping.compile(
            Path.of("echo.jsonata"),
            "{\"id\": appointment.id, \"status\": appointment.status, \"extra\": event.extra}");
    var input = MappingInput.of(SampleEvents.event(EventTypes.CREATED, 1), null);
    ((com.fasterxml.jackson.databind.node.ObjectNode) input.get("event"))
        .set("extra", Json.read(appointmentExtra));

    assertThat(mapping.evaluateToText(input)).isEqualTo(Json.write(mapping.evaluate(input)));
  }

  @Test
  void the_shipped_demo_mapping_writes_the_same_body_both_ways() {
    Mapping mapping = Mapping.compile(SampleEvents.mappingFile("iis-appointment.jsonata"));
    var input = MappingInput.of(SampleEvents.event(EventTypes.CREATED, 3), "ext-9");

    String text = mapping.evaluateToText(input);

    assertThat(text).isEqualTo(Json.write(mapping.evaluate(input)));
    assertThat(Json.read(text).path("appointmentId").asText())
        .isEqualTo(SampleEvents.APPOINTMENT_ID);
  }

  @Test
  void nothing_yielded_is_null_both_ways() {
    Mapping mapping = Mapping.compile(Path.of("nothing.jsonata"), "appointment.nothing.here");
    var input = MappingInput.of(SampleEvents.event(EventTypes.CREATED, 1), null);

    assertThat(mapping.evaluateToText(input)).isNull();
    assertThat(mapping.evaluate(input)).isNull();
  }

  /** Class names through maps and lists, so Integer vs Long or Double vs BigDecimal shows. */
  private static Object classesOf(Object value) {
    if (value instanceof Map<?, ?> map) {
      return map.entrySet().stream()
          .map(entry -> List.of(entry.getKey(), classesOf(entry.getValue())))
          .toList();
    }
    if (value instanceof List<?> list) {
      return list.stream().map(MappingPlainDataTest::classesOf).toList();
    }
    return value == null ? "null" : value.getClass().getName();
  }

  @Provide
  Arbitrary<String> json() {
    return value(3);
  }

  private static Arbitrary<String> value(int depth) {
    Arbitrary<String> scalar =
        Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(12).map(Json::write),
            Arbitraries.integers().map(String::valueOf),
            Arbitraries.longs().map(String::valueOf),
            Arbitraries.doubles().between(-1e9, 1e9).ofScale(3).map(String::valueOf),
            Arbitraries.of("true", "false", "null", "1e400", "123456789012345678901234567890"));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<String> array =
        value(depth - 1).list().ofMaxSize(4).map(items -> "[" + String.join(",", items) + "]");
    Arbitrary<String> object =
        Arbitraries.maps(Arbitraries.strings().alpha().ofLength(3), value(depth - 1))
            .ofMaxSize(4)
            .map(
                fields ->
                    fields.entrySet().stream()
                        .map(entry -> Json.write(entry.getKey()) + ":" + entry.getValue())
                        .collect(java.util.stream.Collectors.joining(",", "{", "}")));
    return Arbitraries.oneOf(scalar, array, object);
  }
}
