package org.hms.sync.connector.iis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hms.sync.connector.iis.IisConnectors.PHI;
import static org.hms.sync.connector.iis.IisConnectors.completedEvent;
import static org.hms.sync.connector.iis.IisConnectors.logged;
import static org.hms.sync.connector.iis.IisConnectors.push;
import static org.hms.sync.connector.iis.IisConnectors.request;
import static org.hms.sync.connector.iis.IisTestServer.ack;

import java.net.URI;
import java.util.List;
import org.hms.sync.config.AuthConfig;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.mapping.SampleEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An HTTP 200 without a readable ACK may mean the registry recorded the dose: the VXU is sent again
 * at most {@code iis.unreadableAckRetries} times, then it is a dead letter that keeps the answer,
 * patient data masked, for a person to decide.
 */
class IisSoapUnreadableAckTest {
  /** What the stand-in registry's own record of the patient adds: an address. */
  private static final String ADDRESS = "742 Evergreen Terrace";

  private IisTestServer registry;

  @BeforeEach
  void start() {
    registry = IisTestServer.start();
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  @Test
  void an_unreadable_answer_is_sent_again_once_by_default_then_dead_lettered() {
    IisSoapConnector connector = connector(registry.uri(), 1);
    registry.answer(received -> "Message received");

    PushResult first = push(connector, request(completedEvent(), null, 1));
    PushResult second = push(connector, request(completedEvent(), null, 2));

    assertThat(first).isInstanceOf(PushResult.Retryable.class);
    assertThat(((PushResult.Retryable) first).errorClass()).isEqualTo("AckUnreadable");
    assertThat(((PushResult.Retryable) first).reason())
        .contains("sent again", "at most 1 more time", "iis.unreadableAckRetries 1");
    assertThat(second).isInstanceOf(PushResult.Permanent.class);
    PushResult.Permanent dead = (PushResult.Permanent) second;
    assertThat(dead.httpStatus()).isEqualTo(200);
    assertThat(dead.errorClass()).isEqualTo("AckUnreadable");
    assertThat(dead.reason())
        .contains("not an HL7 v2 message")
        .contains("may have recorded the dose", "not sent again", "iis.unreadableAckRetries 1")
        .contains("look vaccination " + SampleEvents.APPOINTMENT_ID + " up at the registry")
        .contains("replay", "discard")
        .endsWith("The answer, patient data masked: Message received");
    assertThat(registry.received()).hasSize(2);
  }

  @Test
  void an_answer_over_4_mib_after_http_200_counts_as_unreadable_and_is_not_read_to_its_end() {
    IisSoapConnector connector = connector(registry.uri(), 1);
    registry.answer(received -> "x".repeat(5 * 1024 * 1024));

    PushResult first = push(connector, request(completedEvent(), null, 1));
    PushResult second = push(connector, request(completedEvent(), null, 2));

    assertThat(first).isInstanceOf(PushResult.Retryable.class);
    assertThat(((PushResult.Retryable) first).errorClass()).isEqualTo("AckUnreadable");
    assertThat(((PushResult.Retryable) first).reason()).contains("4 MiB", "sent again");
    assertThat(second).isInstanceOf(PushResult.Permanent.class);
    assertThat(((PushResult.Permanent) second).reason())
        .contains("4 MiB", "may have recorded the dose")
        .doesNotContain("xxxxxxxxxx");
  }

  @Test
  void an_answer_over_4_mib_with_any_other_status_is_retryable_as_its_fault_was_not_read() {
    IisSoapConnector connector = connector(registry.rawUri(), 1);
    registry.rawAnswer(404, "text/html", "x".repeat(5 * 1024 * 1024));

    PushResult result = push(connector, request(completedEvent(), null, 1));

    assertThat(result).isInstanceOf(PushResult.Retryable.class);
    PushResult.Retryable retryable = (PushResult.Retryable) result;
    assertThat(retryable.httpStatus()).isEqualTo(404);
    assertThat(retryable.errorClass()).isEqualTo("HttpStatus");
    assertThat(retryable.reason()).contains("HTTP 404", "4 MiB").doesNotContain("xxxxxxxxxx");
  }

  @Test
  void with_no_unreadable_ack_retries_the_first_unreadable_answer_is_a_dead_letter() {
    IisSoapConnector connector = connector(registry.uri(), 0);
    registry.answer(received -> "");

    PushResult result = push(connector, request(completedEvent(), null, 1));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    assertThat(((PushResult.Permanent) result).reason())
        .contains("the acknowledgment is empty", "1 attempt,", "iis.unreadableAckRetries 0")
        .endsWith("patient data masked: (empty)");
  }

  @Test
  void more_retries_may_be_configured() {
    IisSoapConnector connector = connector(registry.uri(), 3);
    registry.answer(received -> "Message received");

    List<PushResult> results =
        List.of(
            push(connector, request(completedEvent(), null, 1)),
            push(connector, request(completedEvent(), null, 2)),
            push(connector, request(completedEvent(), null, 3)),
            push(connector, request(completedEvent(), null, 4)));

    assertThat(results)
        .extracting(result -> result.getClass().getSimpleName())
        .containsExactly("Retryable", "Retryable", "Retryable", "Permanent");
  }

  /** A replay starts a new run: the operator asked for the VXU to be sent again. */
  @Test
  void a_replayed_dead_letter_gets_its_retries_again() {
    IisSoapConnector connector = connector(registry.uri(), 1);
    registry.answer(received -> "Message received");

    PushResult afterReplay = push(connector, request(completedEvent(), null, 3, 1));

    assertThat(afterReplay).isInstanceOf(PushResult.Retryable.class);
  }

  @Test
  void an_ack_of_another_message_is_kept_with_the_patient_segments_and_values_masked() {
    IisSoapConnector connector = connector(registry.uri(), 0);
    registry.answer(
        received ->
            ack(
                    received,
                    "AA",
                    "SOMEONE-ELSES-1",
                    new IisTestServer.Issue(
                        "PID", 5, "103", "Table value not found", "W",
                        "Check name " + SampleEvents.PATIENT_FAMILY_NAME.toUpperCase()
                            + " born 01/01/1980"))
                + "PID|1||"
                + SampleEvents.PATIENT_MRN
                + "^^^HMS^MR||"
                + SampleEvents.PATIENT_FAMILY_NAME
                + "^"
                + SampleEvents.PATIENT_GIVEN_NAME
                + "||19800101|F|||"
                + ADDRESS
                + "^^Springfield^IL^62701\r");

    PushResult result = push(connector, request(completedEvent(), null, 1));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    String reason = ((PushResult.Permanent) result).reason();
    assertThat(reason)
        .contains("MSA-2 is 'SOMEONE-ELSES-1'")
        .contains("MSA|AA|SOMEONE-ELSES-1")
        .contains("ERR||PID^1^5|103^Table value not found^HL70357|W||||Check name *** born ***")
        .contains("PID|***")
        .doesNotContain(PHI)
        .doesNotContain(ADDRESS, "62701", "01/01/1980");
  }

  @Test
  void an_http_200_that_is_not_soap_is_dead_lettered_with_its_text_masked() {
    IisSoapConnector connector = connector(registry.rawUri(), 1);
    registry.rawAnswer(
        200,
        "text/html",
        "<html><body>\n<p>Thank you, "
            + SampleEvents.PATIENT_GIVEN_NAME
            + " "
            + SampleEvents.PATIENT_FAMILY_NAME
            + " (MRN "
            + SampleEvents.PATIENT_MRN
            + ", born 1980-01-01)</p>\n</body></html>");

    PushResult first = push(connector, request(completedEvent(), null, 1));
    PushResult second = push(connector, request(completedEvent(), null, 2));

    assertThat(first).isInstanceOf(PushResult.Retryable.class);
    assertThat(logged(first)).doesNotContain("Thank you");
    assertThat(second).isInstanceOf(PushResult.Permanent.class);
    assertThat(((PushResult.Permanent) second).reason())
        .contains("HTTP 200 to submitSingleMessage", "is not a SOAP envelope")
        .endsWith(
            "patient data masked: <html><body> <p>Thank you, *** *** (MRN ***, born ***)</p>"
                + " </body></html>")
        .doesNotContain(PHI);
  }

  @Test
  void a_long_answer_is_cut_after_masking_so_no_part_of_a_value_is_left() {
    IisSoapConnector connector = connector(registry.uri(), 0);
    String filler = "x".repeat(MaskedAnswer.LONGEST - 2);
    registry.answer(received -> filler + SampleEvents.PATIENT_FAMILY_NAME);

    PushResult result = push(connector, request(completedEvent(), null, 1));

    String reason = ((PushResult.Permanent) result).reason();
    assertThat(reason).endsWith(filler + "**…");
    assertThat(reason).doesNotContain(SampleEvents.PATIENT_FAMILY_NAME.substring(0, 2));
  }

  private static IisSoapConnector connector(URI baseUrl, int unreadableAckRetries) {
    return IisSoapConnector.create(
        IisConnectors.config(
            baseUrl,
            IisConnectors.TIMEOUTS,
            AuthConfig.none(),
            IisConnectors.settings(unreadableAckRetries),
            IisConnectors.subscriptions()),
        IisConnectors.CLOCK);
  }
}
