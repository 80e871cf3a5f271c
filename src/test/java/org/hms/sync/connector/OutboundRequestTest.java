package org.hms.sync.connector;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutboundRequestTest {

  private static final URI URI_ = URI.create("https://iis.example.org/api/appointments");

  @Test
  void redacted_keeps_the_scheme_and_hides_the_credentials() {
    OutboundRequest request = request(Map.of("Authorization", "Bearer s3cret"));

    assertThat(request.redacted().headers()).containsEntry("Authorization", "Bearer ***");
    assertThat(request.redacted().toString()).doesNotContain("s3cret");
  }

  @Test
  void redacted_finds_authorization_whatever_its_case() {
    OutboundRequest request = request(Map.of("authorization", "Basic Y2xpbmljOmh1bnRlcjI="));

    assertThat(request.redacted().headers().get("Authorization")).isEqualTo("Basic ***");
    assertThat(request.redacted().toString()).doesNotContain("Y2xpbmljOmh1bnRlcjI=");
  }

  @Test
  void redacted_hides_a_credential_without_scheme_entirely() {
    OutboundRequest request = request(Map.of("Authorization", "s3cret"));

    assertThat(request.redacted().headers().get("Authorization")).isEqualTo("***");
  }

  @Test
  void redacted_keeps_everything_else() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Idempotency-Key", "key-1");
    headers.put("X-Facility-Id", "county-clinic-12");
    headers.put("Authorization", "Bearer s3cret");
    OutboundRequest request = new OutboundRequest("PUT", URI_, headers, "{\"a\":1}");

    OutboundRequest redacted = request.redacted();

    assertThat(redacted.method()).isEqualTo("PUT");
    assertThat(redacted.uri()).isEqualTo(URI_);
    assertThat(redacted.body()).isEqualTo("{\"a\":1}");
    assertThat(redacted.headers())
        .containsEntry("Idempotency-Key", "key-1")
        .containsEntry("X-Facility-Id", "county-clinic-12")
        .hasSize(3);
  }

  private static OutboundRequest request(Map<String, String> headers) {
    return new OutboundRequest("POST", URI_, headers, null);
  }
}
