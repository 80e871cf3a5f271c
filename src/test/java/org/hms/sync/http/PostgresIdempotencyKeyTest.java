package org.hms.sync.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import org.hms.sync.http.ApiClient.Reply;
import org.junit.jupiter.api.Test;

class PostgresIdempotencyKeyTest extends IdempotencyKeyContract {
  @Override
  RunningSync start(Path dir, URI iisBaseUrl) {
    return RunningSync.startOnPostgres(dir, iisBaseUrl);
  }

  @Test
  void a_retry_sent_to_another_node_of_the_same_database_gets_the_first_answer() {
    String patient = sync.patient();
    String booking =
        ApiClient.json("patientId", patient, "slotId", sync.slot(sync.location(), 5));
    Reply first = api.post("/api/appointments", booking, KEY, "two-nodes");

    try (RunningSync other = sync.secondNode()) {
      Reply retry = other.api.post("/api/appointments", booking, KEY, "two-nodes");

      assertThat(retry.status()).isEqualTo(201);
      assertThat(retry.header("Idempotent-Replayed")).contains("true");
      assertThat(retry.json()).isEqualTo(first.json());
    }
    assertThat(api.get("/api/appointments?patientId=" + patient).json().path("items")).hasSize(1);
  }
}
