package org.hms.sync.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.hms.sync.http.ApiClient.Reply;

/** Checks an RFC 7807 answer. */
final class ProblemAssert {
  private ProblemAssert() {}

  /** Asserts a problem+json answer with this status, a title and a detail; returns the detail. */
  static String assertProblem(Reply reply, int status) {
    assertThat(reply.status()).as("status of %s", reply.text()).isEqualTo(status);
    assertThat(reply.contentType()).startsWith("application/problem+json");
    JsonNode body = reply.json();
    assertThat(body.path("status").asInt()).isEqualTo(status);
    assertThat(body.path("title").asText()).isNotBlank();
    assertThat(body.path("detail").asText()).isNotBlank();
    return body.path("detail").asText();
  }
}
