package org.hms.sync.connector.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

  private static final Instant NOW = Instant.parse("2027-03-01T08:00:00Z");

  @Test
  void delay_seconds_are_added_to_now() {
    assertThat(RetryAfter.parse("120", NOW)).contains(NOW.plusSeconds(120));
  }

  @Test
  void surrounding_whitespace_is_ignored() {
    assertThat(RetryAfter.parse("  5 ", NOW)).contains(NOW.plusSeconds(5));
  }

  @Test
  void negative_delay_means_now() {
    assertThat(RetryAfter.parse("-30", NOW)).contains(NOW);
  }

  @Test
  void http_date_is_read_as_an_instant() {
    assertThat(RetryAfter.parse("Mon, 01 Mar 2027 08:10:00 GMT", NOW))
        .contains(Instant.parse("2027-03-01T08:10:00Z"));
  }

  @Test
  void http_date_in_the_past_means_now() {
    assertThat(RetryAfter.parse("Sun, 28 Feb 2027 23:00:00 GMT", NOW)).contains(NOW);
  }

  @Test
  void delay_longer_than_an_hour_is_capped() {
    assertThat(RetryAfter.parse("7200", NOW)).contains(NOW.plus(RetryAfter.LONGEST));
    assertThat(RetryAfter.LONGEST).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void http_date_later_than_an_hour_is_capped() {
    assertThat(RetryAfter.parse("Tue, 02 Mar 2027 08:00:00 GMT", NOW))
        .contains(NOW.plus(RetryAfter.LONGEST));
  }

  @Test
  void missing_blank_or_garbage_header_gives_nothing() {
    assertThat(RetryAfter.parse(null, NOW)).isEmpty();
    assertThat(RetryAfter.parse("   ", NOW)).isEmpty();
    assertThat(RetryAfter.parse("soon", NOW)).isEmpty();
    assertThat(RetryAfter.parse("1.5", NOW)).isEmpty();
    assertThat(RetryAfter.parse("2027-03-01T08:10:00Z", NOW)).isEmpty();
  }

  /** Larger than any Instant: {@code Instant.plusSeconds} throws instead of being capped. */
  @Test
  void delay_too_large_for_an_instant_is_capped() {
    assertThat(RetryAfter.parse("999999999999999999", NOW)).contains(NOW.plus(RetryAfter.LONGEST));
  }
}
