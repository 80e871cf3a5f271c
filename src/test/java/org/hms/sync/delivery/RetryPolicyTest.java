package org.hms.sync.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy = RetryPolicy.DEFAULT;

  @Test
  void the_ceiling_doubles_from_the_initial_backoff_up_to_the_cap() {
    assertThat(policy.ceiling(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(policy.ceiling(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(policy.ceiling(5)).isEqualTo(Duration.ofSeconds(16));
    assertThat(policy.ceiling(10)).isEqualTo(Duration.ofSeconds(512));
    assertThat(policy.ceiling(11)).isEqualTo(Duration.ofMinutes(10));
    assertThat(policy.ceiling(60)).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void full_jitter_stays_between_zero_and_the_ceiling_and_spreads_out() {
    Random random = new Random(42);
    long below = 0;
    long above = 0;
    for (int i = 0; i < 10_000; i++) {
      Duration wait = policy.backoff(4, random::nextDouble);
      assertThat(wait).isBetween(Duration.ZERO, Duration.ofSeconds(8));
      if (wait.toMillis() < 4000) {
        below++;
      } else {
        above++;
      }
    }
    assertThat(below).isBetween(4500L, 5500L);
    assertThat(above).isBetween(4500L, 5500L);
  }

  @Test
  void the_default_allows_twelve_attempts() {
    assertThat(policy.allowsAnotherAfter(11)).isTrue();
    assertThat(policy.allowsAnotherAfter(12)).isFalse();
  }

  @Test
  void invalid_settings_are_refused_with_the_value() {
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ofSeconds(1), Duration.ofSeconds(2), 2))
        .hasMessageContaining("maxAttempts must be >= 1, was 0");
    assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(5), Duration.ofSeconds(2), 2))
        .hasMessageContaining("maxBackoff");
  }
}
