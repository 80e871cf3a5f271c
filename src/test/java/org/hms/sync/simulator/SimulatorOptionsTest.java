package org.hms.sync.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SimulatorOptionsTest {

  @Test
  void defaults_are_loopback_free_port_and_no_faults() {
    SimulatorOptions defaults = SimulatorOptions.defaults();

    assertThat(defaults)
        .isEqualTo(new SimulatorOptions("127.0.0.1", 0, 0.0, Duration.ZERO, Duration.ZERO, null));
  }

  @Test
  void withers_change_one_value() {
    SimulatorOptions options =
        SimulatorOptions.defaults()
            .withPort(9090)
            .withFailRate(0.2)
            .withLatency(Duration.ofMillis(5))
            .withDownFor(Duration.ofSeconds(1))
            .withRequiredToken("t");

    assertThat(options)
        .isEqualTo(new SimulatorOptions("127.0.0.1", 9090, 0.2, Duration.ofMillis(5), Duration.ofSeconds(1), "t"));
  }

  @Test
  void fail_rate_outside_zero_to_one_is_refused() {
    assertThatThrownBy(() -> SimulatorOptions.defaults().withFailRate(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("between 0 and 1")
        .hasMessageContaining("1.5");
    assertThatThrownBy(() -> SimulatorOptions.defaults().withFailRate(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void negative_durations_and_bad_ports_are_refused() {
    assertThatThrownBy(() -> SimulatorOptions.defaults().withLatency(Duration.ofMillis(-1)))
        .hasMessageContaining("latency");
    assertThatThrownBy(() -> SimulatorOptions.defaults().withPort(70_000))
        .hasMessageContaining("70000");
    assertThatThrownBy(() -> SimulatorOptions.defaults().withRequiredToken(" "))
        .hasMessageContaining("null");
  }

  @Test
  void to_string_never_shows_the_token() {
    assertThat(SimulatorOptions.defaults().withRequiredToken("s3cret").toString())
        .doesNotContain("s3cret")
        .contains("****");
  }

  @Test
  void soap_credentials_come_in_pairs_and_are_never_blank() {
    assertThat(SimulatorOptions.defaults().withRequiredCredentials("u", "p").requiredUsername())
        .isEqualTo("u");
    assertThatThrownBy(() -> SimulatorOptions.defaults().withRequiredCredentials("u", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("go together")
        .hasMessageContaining("password missing");
    assertThatThrownBy(() -> SimulatorOptions.defaults().withRequiredCredentials(" ", "p"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blank");
  }

  @Test
  void to_string_never_shows_the_soap_password() {
    assertThat(SimulatorOptions.defaults().withRequiredCredentials("u", "s3cret-pw").toString())
        .doesNotContain("s3cret-pw")
        .contains("requiredPassword=****");
  }

  @Test
  void short_durations_are_parsed() {
    assertThat(SimulatorOptions.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(SimulatorOptions.parseDuration("2s")).isEqualTo(Duration.ofSeconds(2));
    assertThat(SimulatorOptions.parseDuration("10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(SimulatorOptions.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(SimulatorOptions.parseDuration("0")).isEqualTo(Duration.ZERO);
    assertThat(SimulatorOptions.parseDuration("2d")).isEqualTo(Duration.ofDays(2));
  }

  @Test
  void durations_without_a_known_unit_are_refused() {
    for (String text : new String[] {"10", "-1s", "s", "", "1.5s"}) {
      assertThatThrownBy(() -> SimulatorOptions.parseDuration(text))
          .as(text)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("250ms");
    }
  }

  @Test
  void a_webhook_url_and_secret_go_together_and_the_secret_is_never_printed() {
    URI url = URI.create("http://127.0.0.1:8080/webhooks/state-iis");
    SimulatorOptions options = SimulatorOptions.defaults().withWebhook(url, "whsec_c2VjcmV0LWtleS1ieXRlcw==");

    assertThat(options.webhookUrl()).isEqualTo(url);
    assertThat(options.toString()).contains(url.toString()).doesNotContain("c2VjcmV0");
    assertThatThrownBy(() -> SimulatorOptions.defaults().withWebhook(url, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("webhookUrl and webhookSecret go together");
    assertThatThrownBy(() -> SimulatorOptions.defaults().withWebhook(URI.create("/webhooks/x"), "whsec_c2VjcmV0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("absolute http or https URL");
  }

  @Test
  void a_webhook_secret_that_is_not_whsec_and_base64_is_refused_without_showing_it() {
    URI url = URI.create("http://127.0.0.1:8080/webhooks/state-iis");
    for (String secret : new String[] {"plain-password", "whsec_", "whsec_%%%not-base64%%%"}) {
      assertThatThrownBy(() -> SimulatorOptions.defaults().withWebhook(url, secret))
          .as(secret)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("whsec_")
          .hasMessageNotContaining("plain-password")
          .hasMessageNotContaining("not-base64");
    }
  }
}
