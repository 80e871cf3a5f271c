package org.hms.sync.connector.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.hms.sync.delivery.PushResult;
import org.junit.jupiter.api.Test;

class AnswerClassTest {

  /** The table of {@link AnswerClass}, written out once more, status by status. */
  private static AnswerClass expected(int status) {
    if (status >= 200 && status <= 299) {
      return AnswerClass.SUCCESS;
    }
    if (status >= 500 && status <= 599) {
      return AnswerClass.RETRYABLE;
    }
    return switch (status) {
      case 408, 425, 429 -> AnswerClass.RETRYABLE;
      default -> AnswerClass.PERMANENT; // 1xx, 3xx, every other 4xx
    };
  }

  @Test
  void every_status_from_100_to_599_has_the_class_of_the_table() {
    Map<Integer, AnswerClass> actual = new LinkedHashMap<>();
    Map<Integer, AnswerClass> table = new LinkedHashMap<>();
    for (int status = 100; status <= 599; status++) {
      actual.put(status, AnswerClass.of(status));
      table.put(status, expected(status));
    }

    assertThat(actual).isEqualTo(table);
  }

  @Test
  void the_statuses_that_are_worth_a_retry_are_408_425_429_and_5xx() {
    for (int status : new int[] {408, 425, 429, 500, 502, 503, 504, 599}) {
      assertThat(AnswerClass.of(status)).as("HTTP %d", status).isEqualTo(AnswerClass.RETRYABLE);
    }
    for (int status : new int[] {400, 401, 403, 404, 409, 412, 422, 426, 428, 431, 451}) {
      assertThat(AnswerClass.of(status)).as("HTTP %d", status).isEqualTo(AnswerClass.PERMANENT);
    }
  }

  @Test
  void informational_answers_and_redirects_are_permanent() {
    assertThat(AnswerClass.of(100)).isEqualTo(AnswerClass.PERMANENT);
    assertThat(AnswerClass.of(301)).isEqualTo(AnswerClass.PERMANENT);
    assertThat(AnswerClass.of(307)).isEqualTo(AnswerClass.PERMANENT);
  }

  @Test
  void numbers_outside_the_status_range_are_judged_like_their_neighbours() {
    assertThat(AnswerClass.of(0)).isEqualTo(AnswerClass.PERMANENT);
    assertThat(AnswerClass.of(99)).isEqualTo(AnswerClass.PERMANENT);
    assertThat(AnswerClass.of(600)).isEqualTo(AnswerClass.RETRYABLE);
    assertThat(AnswerClass.of(999)).isEqualTo(AnswerClass.RETRYABLE);
  }

  @Test
  void an_exchange_without_an_answer_is_retryable() {
    assertThat(AnswerClass.of(new HttpTimeoutException("request timed out")))
        .isEqualTo(AnswerClass.RETRYABLE);
    assertThat(AnswerClass.of(new TimeoutException())).isEqualTo(AnswerClass.RETRYABLE);
    assertThat(AnswerClass.of(new CompletionException(new ConnectException("refused"))))
        .isEqualTo(AnswerClass.RETRYABLE);
    assertThat(AnswerClass.of(new IOException("connection reset")))
        .isEqualTo(AnswerClass.RETRYABLE);
    assertThat(AnswerClass.of(new SSLHandshakeException("no cipher suites in common")))
        .isEqualTo(AnswerClass.RETRYABLE);
  }

  @Test
  void an_answer_too_large_to_read_is_judged_by_its_status() {
    assertThat(AnswerClass.of(tooLarge(200))).isEqualTo(AnswerClass.SUCCESS);
    assertThat(AnswerClass.of(tooLarge(400))).isEqualTo(AnswerClass.PERMANENT);
    assertThat(AnswerClass.of(tooLarge(425))).isEqualTo(AnswerClass.RETRYABLE);
    assertThat(AnswerClass.of(tooLarge(503))).isEqualTo(AnswerClass.RETRYABLE);
  }

  @Test
  void an_answer_too_large_to_read_is_found_inside_the_wrappers_of_the_client() {
    Throwable wrapped = new CompletionException(new IOException("body failed", tooLarge(404)));

    assertThat(AnswerClass.of(wrapped)).isEqualTo(AnswerClass.PERMANENT);
  }

  /**
   * The circuit breaker lives in the delivery engine, which knows no connector package, so it
   * keeps its own list; it must name the same 4xx statuses as retryable.
   */
  @Test
  void the_circuit_breaker_counts_as_an_outage_exactly_the_retryable_4xx_and_every_5xx() {
    for (int status = 400; status <= 599; status++) {
      PushResult.Retryable failure = new PushResult.Retryable(status, "HttpStatus", "test", null);

      assertThat(failure.outage())
          .as("outage() for HTTP %d", status)
          .isEqualTo(AnswerClass.of(status) == AnswerClass.RETRYABLE);
    }
  }

  private static AnswerTooLargeException tooLarge(int status) {
    return new AnswerTooLargeException(1024, 4096, status, null);
  }
}
