package org.hms.sync.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The guided demo end to end, with a one-second outage: its proof of inbound sync holds. */
class DemoTest {

  @Test
  void the_demo_ends_in_sync_with_the_iis_reschedule_applied_and_the_forged_webhook_rejected()
      throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    boolean inSync;
    try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        Demo demo = new Demo(out, Duration.ofSeconds(1))) {
      inSync = demo.run();
    }
    String output = printed.toString(StandardCharsets.UTF_8);

    assertThat(output)
        .contains("== The IIS reschedules A4 on its side")
        .contains("A4 now starts at")
        .contains("no delivery back to state-iis")
        .contains("(heard of the IIS's change through the EMR)")
        .contains("rejected: HTTP 401")
        .contains("nothing changed")
        .contains("VERDICT: IN SYNC");
    assertThat(inSync).as(output).isTrue();
  }
}
