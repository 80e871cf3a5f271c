package org.hms.sync.connector.http;

/**
 * What an HTTP exchange with an external system means for the change it carried, judged by the
 * answer's status alone. Every connector type and the OAuth 2.0 token endpoint start from this one
 * table:
 *
 * <table>
 *   <caption>Status classes</caption>
 *   <tr><th>status</th><th>class</th></tr>
 *   <tr><td>2xx</td><td>{@link #SUCCESS}</td></tr>
 *   <tr><td>408 Request Timeout, 425 Too Early, 429 Too Many Requests, 5xx</td>
 *       <td>{@link #RETRYABLE}</td></tr>
 *   <tr><td>1xx, 3xx (redirects are never followed), any other 4xx</td>
 *       <td>{@link #PERMANENT}</td></tr>
 * </table>
 *
 * <p>An exchange that ended without an answer (a timeout, a refused or reset connection, a failed
 * TLS handshake, any other I/O error) is {@link #RETRYABLE}: the request may or may not have
 * arrived, and a repeat is safe (idempotency key, conditional create, If-Match). An answer larger
 * than was read ({@link AnswerTooLargeException}) came with its status and is judged by it.
 *
 * <p>Each connector type refines this where its protocol says more, and documents it there:
 *
 * <ul>
 *   <li>rest, graphql: a 401 is retryable when the credentials can fetch a fresh token for the
 *       next attempt;
 *   <li>fhir: a 409 or 412 to an update with If-Match is first told apart from a refusal by a
 *       fresh read, and a version conflict is settled per {@code onVersionConflict} ({@code
 *       AppointmentPush}, {@code Outcomes});
 *   <li>graphql: a 2xx is judged by the {@code errors} in its body ({@code ResponseJudge});
 *   <li>iis-soap: a 2xx is judged by the ACK in its body (MSA-1), any answer holding a SOAP fault
 *       by the fault, and a non-2xx answer too large to read is retryable ({@code
 *       IisSoapConnector});
 *   <li>a 2xx whose body cannot be read: a success without external id (rest), retryable (fhir,
 *       graphql, iis-soap), permanent from a token endpoint ({@code TokenCredentials}).
 * </ul>
 *
 * <p>The circuit breaker's notion of an outage ({@code PushResult.Retryable#outage}) counts the
 * 4xx statuses that are {@link #RETRYABLE} here; {@code AnswerClassTest} keeps the two in step.
 */
public enum AnswerClass {
  /** The external system took the request. */
  SUCCESS,
  /** Sending the same request again later may succeed. */
  RETRYABLE,
  /** Sending the same request again cannot help. */
  PERMANENT;

  /**
   * The class of an answer with this status. A number outside 100–599, which no server should
   * send, is judged like its neighbours: below 200 permanent, from 500 retryable.
   */
  public static AnswerClass of(int status) {
    if (status >= 200 && status < 300) {
      return SUCCESS;
    }
    if (status == 408 || status == 425 || status == 429 || status >= 500) {
      return RETRYABLE;
    }
    return PERMANENT;
  }

  /**
   * The class of an exchange that failed: by the status of an {@link AnswerTooLargeException}
   * along the cause chain, else {@link #RETRYABLE} (no answer arrived).
   */
  public static AnswerClass of(Throwable failure) {
    AnswerTooLargeException tooLarge = AnswerTooLargeException.in(failure);
    return tooLarge == null ? RETRYABLE : of(tooLarge.statusCode());
  }
}
