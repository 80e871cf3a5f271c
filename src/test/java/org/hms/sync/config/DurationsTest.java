package org.hms.sync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({
    "250ms, PT0.25S",
    "0ms, PT0S",
    "2s, PT2S",
    "10m, PT10M",
    "1h, PT1H",
    "2d, PT48H",
    "' 3s ', PT3S",
    "PT2S, PT2S",
    "PT1.5S, PT1.5S",
    "P1D, PT24H",
    "pt5m, PT5M"
  })
  void number_with_unit_and_iso_8601_are_parsed(String text, String iso) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @CsvSource({
    "PT0.25S, 250ms",
    "PT1.5S, 1500ms",
    "PT2S, 2s",
    "PT90S, 90s",
    "PT10M, 10m",
    "PT1H, 1h",
    "PT36H, 36h",
    "PT24H, 1d",
    "PT0S, 0s"
  })
  void format_is_compact_and_uses_the_largest_exact_unit(String iso, String formatted) {
    assertThat(Durations.format(Duration.parse(iso))).isEqualTo(formatted);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"0s", "1ms", "999ms", "1001ms", "59s", "61s", "59m", "3h", "7d", "PT0.000001S"})
  void parse_of_format_gives_the_same_duration(String text) {
    Duration duration = Durations.parse(text);
    assertThat(Durations.parse(Durations.format(duration))).isEqualTo(duration);
  }

  @Test
  void format_round_trips_through_parse() {
    for (Duration duration :
        new Duration[] {
          Duration.ofMillis(250),
          Duration.ofSeconds(2),
          Duration.ofMinutes(10),
          Duration.ofHours(1),
          Duration.ofDays(3),
          Duration.ofNanos(1),
          Duration.ofSeconds(Long.MAX_VALUE / 1000, 5_000_000)
        }) {
      assertThat(Durations.parse(Durations.format(duration))).isEqualTo(duration);
    }
  }

  @Test
  void bad_duration_message_names_the_text_and_the_expected_form() {
    assertThatThrownBy(() -> Durations.parse("5 sec"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bad duration '5 sec': write a number and a unit, e.g. 250ms, 2s, 10m, 1h");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "5", "s", "1.5s", "5sec", "5S", "1w", "P1M", "PTxS", "5 s"})
  void text_that_is_not_a_duration_is_refused(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "bad duration '" + text + "': write a number and a unit, e.g. 250ms, 2s, 10m, 1h");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-5s", "-PT5S", "PT-5S"})
  void negative_durations_are_refused(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "bad duration '"
                + text
                + "': must not be negative; write a number and a unit, e.g. 250ms, 2s, 10m, 1h");
  }

  @Test
  void a_duration_too_large_for_java_is_refused_with_a_hint() {
    assertThatThrownBy(() -> Durations.parse("99999999999999999999d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too large");
    assertThatThrownBy(() -> Durations.parse("9223372036854775807h"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too large");
  }

  @Test
  void null_is_refused_with_a_message() {
    assertThatThrownBy(() -> Durations.parse(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no value");
  }

  @Test
  void negative_durations_format_as_iso() {
    assertThat(Durations.format(Duration.ofSeconds(-2))).isEqualTo("PT-2S");
  }
}
