package org.hms.sync.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a success keeps of the external id it was given; which failures count as outages. */
class PushResultTest {

  @Test
  void an_external_id_of_500_printable_characters_is_kept() {
    PushResult.Success success = new PushResult.Success(201, "A".repeat(500), null);

    assertThat(success.externalId()).hasSize(500);
    assertThat(success.note()).isNull();
  }

  @Test
  void a_longer_external_id_is_dropped_with_a_note_that_does_not_repeat_it() {
    PushResult.Success success = new PushResult.Success(201, "A".repeat(4_000), "created");

    assertThat(success.externalId()).isNull();
    assertThat(success.note())
        .isEqualTo(
            "created; external id not stored: it is 4000 characters long; at most 500 are kept");
  }

  @Test
  void an_external_id_with_a_control_character_or_a_broken_surrogate_is_dropped() {
    assertThat(new PushResult.Success(200, "ab\ncd", null).note())
        .isEqualTo("external id not stored: it contains a control character (U+000A)");
    assertThat(new PushResult.Success(200, "ab\ud800", null).note())
        .isEqualTo(
            "external id not stored: it contains an unpaired surrogate (U+D800): not valid"
                + " Unicode");
    assertThat(new PushResult.Success(200, "   ", null).note())
        .isEqualTo("external id not stored: it is blank");
  }

  @Test
  void no_external_id_leaves_the_note_alone() {
    assertThat(new PushResult.Success(204, null, null).note()).isNull();
  }

  @Test
  void no_answer_an_unreadable_answer_408_425_429_and_5xx_count_as_outages() {
    assertThat(retryable(null).outage()).isTrue();
    assertThat(retryable(200).outage()).isTrue();
    assertThat(retryable(408).outage()).isTrue();
    assertThat(retryable(425).outage()).isTrue();
    assertThat(retryable(429).outage()).isTrue();
    assertThat(retryable(500).outage()).isTrue();
    assertThat(retryable(503).outage()).isTrue();
  }

  @Test
  void a_version_conflict_or_another_4xx_is_no_outage() {
    assertThat(retryable(409).outage()).isFalse();
    assertThat(retryable(412).outage()).isFalse();
    assertThat(retryable(400).outage()).isFalse();
    assertThat(retryable(404).outage()).isFalse();
  }

  private static PushResult.Retryable retryable(Integer status) {
    return new PushResult.Retryable(status, "Test", "retryable", null);
  }
}
