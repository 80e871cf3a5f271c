package org.hms.sync.inbound.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.hms.sync.inbound.webhook.WebhookVerificationException.Reason;
import org.hms.sync.testing.MutableClock;
import org.junit.jupiter.api.Test;

/**
 * Standard Webhooks v1: the published test vector and the negative cases of the reference
 * libraries' tests (standard-webhooks/standard-webhooks, libraries/{javascript,go}).
 */
class WebhookVerifierTest {
  // The specification's published test vector.
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long TIMESTAMP = 1614265330;
  private static final byte[] BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
  private static final String SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
  // A well-formed v1 signature that matches nothing (from the reference tests).
  private static final String WRONG = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";
  private static final String OTHER_SECRET = "whsec_" + "c2Vjb25kLXNlY3JldC1mb3Itcm90YXRpb24=";

  private final MutableClock clock = new MutableClock(Instant.ofEpochSecond(TIMESTAMP));
  private final WebhookVerifier verifier =
      new WebhookVerifier(List.of(SECRET), Duration.ofSeconds(300), clock);

  private Reason rejection(String id, String timestamp, String signature, byte[] body) {
    try {
      verifier.verify(id, timestamp, signature, body);
    } catch (WebhookVerificationException rejected) {
      assertThat(rejected.getMessage()).doesNotContain(SECRET.substring(6), "2432232314");
      return rejected.reason();
    }
    throw new AssertionError("the webhook was accepted");
  }

  @Test
  void signing_the_published_test_vector_gives_the_published_signature() {
    assertThat(WebhookVerifier.sign(SECRET, ID, TIMESTAMP, BODY)).isEqualTo(SIGNATURE);
  }

  @Test
  void the_published_test_vector_verifies() {
    assertThatCode(() -> verifier.verify(ID, "1614265330", SIGNATURE, BODY))
        .doesNotThrowAnyException();
  }

  @Test
  void a_signature_that_matches_nothing_is_rejected() {
    assertThat(rejection(ID, "1614265330", WRONG, BODY)).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void a_changed_body_or_id_is_rejected() {
    byte[] changed = "{\"test\": 2432232315}".getBytes(StandardCharsets.UTF_8);
    assertThat(rejection(ID, "1614265330", SIGNATURE, changed)).isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(rejection(ID + "x", "1614265330", SIGNATURE, BODY)).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void a_signature_for_another_timestamp_inside_the_tolerance_is_rejected() {
    assertThat(rejection(ID, "1614265331", SIGNATURE, BODY)).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void a_partial_or_empty_signature_is_rejected() {
    assertThat(rejection(ID, "1614265330", SIGNATURE.substring(0, 8), BODY))
        .isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(rejection(ID, "1614265330", "v1,", BODY)).isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(rejection(ID, "1614265330", "v1,dawfeoifkpqwoekfpqoekf", BODY))
        .isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void one_valid_entry_among_several_signatures_passes() {
    String several = String.join(" ", WRONG, "v2," + SIGNATURE.substring(3), SIGNATURE, WRONG);

    assertThatCode(() -> verifier.verify(ID, "1614265330", several, BODY))
        .doesNotThrowAnyException();
  }

  @Test
  void a_valid_signature_under_another_version_prefix_is_rejected() {
    String v2 = "v2," + SIGNATURE.substring(3);
    assertThat(rejection(ID, "1614265330", v2, BODY)).isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(rejection(ID, "1614265330", "v1a," + SIGNATURE.substring(3), BODY))
        .isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(rejection(ID, "1614265330", SIGNATURE.substring(3), BODY))
        .isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void either_secret_verifies_while_keys_are_rotated() {
    WebhookVerifier rotating =
        new WebhookVerifier(List.of(OTHER_SECRET, SECRET), Duration.ofSeconds(300), clock);
    String byNewKey = WebhookVerifier.sign(OTHER_SECRET, ID, TIMESTAMP, BODY);

    assertThatCode(() -> rotating.verify(ID, "1614265330", SIGNATURE, BODY))
        .doesNotThrowAnyException();
    assertThatCode(() -> rotating.verify(ID, "1614265330", byNewKey, BODY))
        .doesNotThrowAnyException();
    assertThat(rejection(ID, "1614265330", byNewKey, BODY)).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void a_timestamp_older_than_the_tolerance_is_rejected_and_one_at_the_limit_passes() {
    clock.set(Instant.ofEpochSecond(TIMESTAMP + 300));
    assertThatCode(() -> verifier.verify(ID, "1614265330", SIGNATURE, BODY))
        .doesNotThrowAnyException();

    clock.set(Instant.ofEpochSecond(TIMESTAMP + 301));
    assertThat(rejection(ID, "1614265330", SIGNATURE, BODY)).isEqualTo(Reason.STALE_TIMESTAMP);
  }

  @Test
  void a_timestamp_further_in_the_future_than_the_tolerance_is_rejected() {
    clock.set(Instant.ofEpochSecond(TIMESTAMP - 300));
    assertThatCode(() -> verifier.verify(ID, "1614265330", SIGNATURE, BODY))
        .doesNotThrowAnyException();

    clock.set(Instant.ofEpochSecond(TIMESTAMP - 301));
    assertThat(rejection(ID, "1614265330", SIGNATURE, BODY)).isEqualTo(Reason.STALE_TIMESTAMP);
  }

  @Test
  void a_stale_timestamp_is_rejected_even_with_a_valid_signature_for_it() {
    long old = TIMESTAMP - 3600;
    String signature = WebhookVerifier.sign(SECRET, ID, old, BODY);

    assertThat(rejection(ID, Long.toString(old), signature, BODY))
        .isEqualTo(Reason.STALE_TIMESTAMP);
  }

  @Test
  void a_timestamp_that_is_not_whole_seconds_is_rejected() {
    for (String timestamp : List.of("hello", "1614265330.5", "-1614265330", "0x60380f72",
        "1614265330000000")) {
      assertThat(rejection(ID, timestamp, SIGNATURE, BODY))
          .as(timestamp)
          .isEqualTo(Reason.MALFORMED_TIMESTAMP);
    }
  }

  @Test
  void missing_headers_are_rejected_and_named() {
    assertThat(rejection(null, "1614265330", SIGNATURE, BODY)).isEqualTo(Reason.MISSING_HEADERS);
    assertThat(rejection(ID, null, SIGNATURE, BODY)).isEqualTo(Reason.MISSING_HEADERS);
    assertThat(rejection(ID, "1614265330", "", BODY)).isEqualTo(Reason.MISSING_HEADERS);
    assertThatThrownBy(() -> verifier.verify(" ", null, null, BODY))
        .hasMessageContaining("webhook-id, webhook-timestamp, webhook-signature");
  }

  @Test
  void a_secret_without_the_prefix_or_not_in_base64_is_refused_without_showing_it() {
    assertThatThrownBy(
            () -> new WebhookVerifier(List.of("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
                Duration.ofSeconds(300), clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not start with whsec_")
        .hasMessageNotContaining("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    assertThatThrownBy(
            () -> new WebhookVerifier(List.of(SECRET, "whsec_not*base64!"),
                Duration.ofSeconds(300), clock))
        .hasMessageStartingWith("webhook secret 2 ")
        .hasMessageContaining("not base64")
        .hasMessageNotContaining("not*base64!");
    assertThatThrownBy(() -> new WebhookVerifier(List.of(), Duration.ofSeconds(300), clock))
        .hasMessageContaining("at least one");
  }
}
