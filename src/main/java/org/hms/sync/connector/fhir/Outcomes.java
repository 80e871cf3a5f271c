package org.hms.sync.connector.fhir;

import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.client.exceptions.FhirClientConnectionException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.apache.http.NoHttpResponseException;
import org.hl7.fhir.instance.model.api.IBaseOperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hms.sync.SyncException;
import org.hms.sync.Text;
import org.hms.sync.connector.auth.AuthException;
import org.hms.sync.connector.http.AnswerClass;
import org.hms.sync.connector.http.AnswerTooLargeException;
import org.hms.sync.connector.http.RetryAfter;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.mapping.MappingException;

/**
 * How the fhir connector judges a failed call. A status is judged as {@link AnswerClass} says:
 * 408, 425, 429 and 5xx are retryable (Retry-After honoured), any other 4xx is permanent; network
 * errors and timeouts are retryable. The FHIR refinement: 409 and 412 to an update with If-Match
 * never get here as such: {@link AppointmentPush} first reads the resource to tell a version
 * conflict from a refusal (see {@link #versionRefusal}) and settles a conflict as the connector's
 * {@code onVersionConflict} says. A 2xx answer that cannot be read (too large, not UTF-8, not
 * FHIR) is retryable, as a repeat is safe; the reason says what was wrong with it, never what it
 * held. OperationOutcome issues go into the reason as {@code severity code: diagnostics}, with the
 * patient's values masked.
 */
final class Outcomes {
  static final int MAX_REASON = 500;
  private static final int MAX_ISSUE = 200;

  /** HAPI-1814: {@code expected "Bundle" but found "Patient"}. */
  private static final Pattern WRONG_TYPE =
      Pattern.compile("expected \"([A-Za-z]{1,64})\" but found \"([A-Za-z]{1,64})\"");

  /** HAPI-1821 and others: {@code [element="status"]}. */
  private static final Pattern ELEMENT =
      Pattern.compile("\\[element=\"([A-Za-z0-9_.]{1,64})\"\\]");

  /** HAPI's NonFhirResponseException: {@code non FHIR Content-Type 'text/html'}. */
  private static final Pattern CONTENT_TYPE = Pattern.compile("Content-Type '([^']{0,200})'");

  private Outcomes() {}

  /** A flow reached a verdict deep inside (a conflict, a missing resource); carries it out. */
  static final class Verdict extends SyncException {
    private final transient PushResult result;

    Verdict(PushResult result) {
      super(reasonOf(result));
      this.result = result;
    }

    PushResult result() {
      return result;
    }

    private static String reasonOf(PushResult result) {
      if (result instanceof PushResult.Permanent permanent) {
        return permanent.reason();
      }
      if (result instanceof PushResult.Retryable retryable) {
        return retryable.reason();
      }
      return "success";
    }
  }

  /**
   * The server's answer when it refused a write for its precondition or a conflict (HTTP 409 or
   * 412), or null for any other failure (another status, no answer at all). Both statuses are
   * what servers answer to a stale {@code If-Match}: 412 as the specification says, 409 from the
   * HAPI FHIR JPA server ({@code HAPI-0989}, and {@code HAPI-0823}..{@code HAPI-0827} when two
   * writes of one resource race). A 409 is also a server's business rule refusing the change;
   * only a fresh read tells them apart.
   */
  static BaseServerResponseException versionRefusal(RuntimeException failure) {
    if (failure instanceof BaseServerResponseException response
        && !(failure instanceof FhirClientConnectionException)
        && (response.getStatusCode() == 409 || response.getStatusCode() == 412)) {
      return response;
    }
    return null;
  }

  /**
   * {@code HTTP 409 from PUT Appointment/7: error processing: HAPI-0989: ...}: the status, the
   * call and the server's OperationOutcome issues (patient values masked), or its body.
   */
  static String refusal(BaseServerResponseException response, String what, Redactor redactor) {
    return "HTTP " + response.getStatusCode() + " from " + what + detail(response, redactor);
  }

  /**
   * The verdict on a call that threw.
   *
   * @param what the call, e.g. {@code POST Appointment}
   * @param retryAfter the response's Retry-After header, or null
   */
  static PushResult classify(
      Throwable failure, String what, Redactor redactor, Instant now, String retryAfter) {
    Throwable cause = unwrap(failure);
    if (cause instanceof Verdict verdict) {
      return verdict.result();
    }
    if (cause instanceof AuthException auth) {
      return auth.retryable()
          ? new PushResult.Retryable(null, "AuthException", auth.getMessage(), null)
          : new PushResult.Permanent(null, "AuthException", auth.getMessage());
    }
    if (cause instanceof MappingException mapping) {
      return new PushResult.Permanent(null, "MappingException", mapping.getMessage());
    }
    // HAPI wraps what went wrong while reading an answer in a FhirClientConnectionException
    AnswerTooLargeException tooLarge = AnswerTooLargeException.in(cause);
    if (tooLarge != null) {
      return unread(
          tooLarge.statusCode(), tooLarge.getMessage(), tooLarge.retryAfter(), what, now);
    }
    AnswerCheck.NotUtf8Exception notUtf8 = along(cause, AnswerCheck.NotUtf8Exception.class);
    if (notUtf8 != null) {
      return unread(notUtf8.statusCode(), notUtf8.getMessage(), retryAfter, what, now);
    }
    DataFormatException unreadable = along(cause, DataFormatException.class);
    if (unreadable != null) {
      return new PushResult.Retryable(
          null,
          "DataFormatException",
          "the answer to " + what + " is not readable FHIR (" + unreadable(cause) + ")",
          null);
    }
    // a connection failure is a BaseServerResponseException too: check it first
    if (cause instanceof FhirClientConnectionException connection) {
      return network(connection, what);
    }
    if (cause instanceof BaseServerResponseException response) {
      return httpStatus(response, what, redactor, now, retryAfter);
    }
    String kind = cause.getClass().getSimpleName();
    if (inParser(cause)) {
      // HAPI's parser has failed this way on odd JSON, e.g. arrays nested inside an extension
      return new PushResult.Retryable(
          null,
          kind,
          "the answer to " + what + " is not readable FHIR (the FHIR parser failed with " + kind
              + ")",
          null);
    }
    return new PushResult.Retryable(null, kind, "unexpected " + kind + " on " + what, null);
  }

  /** Whether the failure was thrown from inside HAPI's parser. */
  private static boolean inParser(Throwable failure) {
    for (StackTraceElement frame : failure.getStackTrace()) {
      if (frame.getClassName().startsWith("ca.uhn.fhir.parser.")) {
        return true;
      }
    }
    return false;
  }

  /**
   * An answer that was not read to its end (too large, not UTF-8): a 2xx is retryable (a repeat is
   * safe: conditional create, If-Match), any other status is judged by its status.
   */
  private static PushResult unread(
      int status, String why, String retryAfter, String what, Instant now) {
    AnswerClass answer = AnswerClass.of(status);
    if (answer == AnswerClass.SUCCESS) {
      return new PushResult.Retryable(
          status, "UnreadableResponse", "unreadable answer to " + what + ": " + why, null);
    }
    String detail = "HTTP " + status + " from " + what + " (" + why + ")";
    if (answer == AnswerClass.RETRYABLE) {
      return new PushResult.Retryable(
          status, "HttpStatus", detail, RetryAfter.parse(retryAfter, now).orElse(null));
    }
    return new PushResult.Permanent(status, "HttpStatus", detail);
  }

  /**
   * What is wrong with an answer HAPI could not parse, from the Jackson limit it passed or the
   * HAPI code of its message; never the content those messages quote.
   */
  private static String unreadable(Throwable failure) {
    StreamConstraintsException limit = along(failure, StreamConstraintsException.class);
    if (limit != null) {
      String message = String.valueOf(limit.getMessage());
      if (message.startsWith("Document nesting depth")) {
        return "JSON nested deeper than the parser's limit";
      }
      if (message.startsWith("Number value length") || message.startsWith("Number length")) {
        return "a number longer than the parser's limit";
      }
      if (message.startsWith("String value length") || message.startsWith("String length")) {
        return "a string longer than the parser's limit";
      }
      return "JSON larger than the parser's limit";
    }
    DataFormatException innermost = null;
    for (Throwable current = failure; current != null; current = current.getCause()) {
      if (current instanceof DataFormatException format) {
        innermost = format;
      }
      if (current.getCause() == current) {
        break;
      }
    }
    String message = innermost == null ? "" : String.valueOf(innermost.getMessage());
    if (message.contains("HAPI-1859")) {
      return "not a JSON object";
    }
    if (message.contains("HAPI-1838")) {
      return "no resourceType";
    }
    Matcher wrongType = WRONG_TYPE.matcher(message);
    if (message.contains("HAPI-1814") && wrongType.find()) {
      return article(wrongType.group(2)) + " where " + article(wrongType.group(1))
          + " was expected";
    }
    Matcher element = ELEMENT.matcher(message);
    if (element.find()) {
      return "an invalid value in element '" + element.group(1) + "'";
    }
    return message.contains("HAPI-1861") ? "malformed JSON" : "unreadable content";
  }

  /** "a Bundle", "an Appointment". */
  private static String article(String resourceType) {
    return ("AEIOU".indexOf(resourceType.charAt(0)) >= 0 ? "an " : "a ") + resourceType;
  }

  /** The first throwable of this type along the cause chain, or null. */
  private static <T extends Throwable> T along(Throwable failure, Class<T> type) {
    for (Throwable current = failure; current != null; current = current.getCause()) {
      if (type.isInstance(current)) {
        return type.cast(current);
      }
      if (current.getCause() == current) {
        break;
      }
    }
    return null;
  }

  private static PushResult httpStatus(
      BaseServerResponseException response,
      String what,
      Redactor redactor,
      Instant now,
      String retryAfter) {
    int status = response.getStatusCode();
    String detail = "HTTP " + status + " from " + what + detail(response, redactor);
    AnswerClass answer = AnswerClass.of(status);
    if (answer == AnswerClass.SUCCESS) {
      // e.g. an HTML page with 200: its text is not repeated (a change feed has no redactor)
      return new PushResult.Retryable(
          status,
          "UnreadableResponse",
          "unreadable answer (HTTP " + status + " from " + what + ": " + notFhir(response) + ")",
          null);
    }
    if (answer == AnswerClass.RETRYABLE) {
      return new PushResult.Retryable(
          status,
          "HttpStatus",
          cut(detail),
          RetryAfter.parse(retryAfter, now).orElse(null));
    }
    return new PushResult.Permanent(status, "HttpStatus", cut(detail));
  }

  /** "not FHIR (Content-Type 'text/html')", from the message of HAPI's NonFhirResponseException. */
  private static String notFhir(BaseServerResponseException response) {
    Matcher type = CONTENT_TYPE.matcher(String.valueOf(response.getMessage()));
    return type.find()
        ? "not FHIR (Content-Type '" + Text.excerpt(type.group(1), 60) + "')"
        : "not FHIR";
  }

  private static String detail(BaseServerResponseException response, Redactor redactor) {
    String issues = issues(response.getOperationOutcome(), redactor);
    if (!issues.isEmpty()) {
      return ": " + issues;
    }
    String body = redactor.clean(response.getResponseBody(), MAX_ISSUE);
    return body.isEmpty() ? "" : ": " + body;
  }

  /**
   * The issues as {@code error invalid: diagnostics (at Appointment.start); warning ...}, or empty
   * when there are none.
   */
  static String issues(IBaseOperationOutcome outcome, Redactor redactor) {
    if (!(outcome instanceof OperationOutcome operationOutcome)) {
      return "";
    }
    List<String> issues = new ArrayList<>();
    for (OperationOutcome.OperationOutcomeIssueComponent issue : operationOutcome.getIssue()) {
      StringBuilder text = new StringBuilder();
      text.append(issue.getSeverity() == null ? "issue" : issue.getSeverity().toCode());
      if (issue.getCode() != null) {
        text.append(' ').append(issue.getCode().toCode());
      }
      String diagnostics =
          issue.hasDiagnostics() ? issue.getDiagnostics() : issue.getDetails().getText();
      if (diagnostics != null && !diagnostics.isBlank()) {
        text.append(": ").append(redactor.clean(diagnostics, MAX_ISSUE));
      }
      if (!issue.getExpression().isEmpty()) {
        text.append(" (at ").append(redactor.clean(issue.getExpression().get(0).getValue(), 80))
            .append(')');
      }
      issues.add(text.toString());
    }
    return cut(String.join("; ", issues));
  }

  private static PushResult network(FhirClientConnectionException failure, String what) {
    Throwable root = failure;
    Throwable timeout = null;
    Throwable refused = null;
    Throwable unanswered = null;
    Throwable tls = null;
    for (Throwable current = failure; current != null; current = current.getCause()) {
      root = current;
      if (current instanceof InterruptedIOException && timeout == null) {
        timeout = current; // SocketTimeoutException, ConnectTimeoutException
      } else if (current instanceof ConnectException && refused == null) {
        refused = current;
      } else if (current instanceof NoHttpResponseException && unanswered == null) {
        unanswered = current;
      } else if (current instanceof SSLException && tls == null) {
        tls = current;
      }
      if (current.getCause() == current) {
        break;
      }
    }
    if (timeout != null) {
      return retry(timeout, "timed out: " + what);
    }
    if (refused != null) {
      return retry(refused, "cannot connect: " + what);
    }
    if (unanswered != null) {
      return retry(
          unanswered,
          "no response to " + what
              + (what.startsWith("GET ")
                  ? " (the connection closed without an answer)"
                  : " (the server may have applied it; the retry is safe)"));
    }
    if (tls != null) {
      return retry(tls, "TLS failure on " + what + ": " + tls.getClass().getSimpleName());
    }
    return retry(root, "network error on " + what + ": " + root.getClass().getSimpleName());
  }

  private static PushResult retry(Throwable cause, String reason) {
    return new PushResult.Retryable(null, cause.getClass().getSimpleName(), reason, null);
  }

  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  static String cut(String text) {
    return text.length() > MAX_REASON ? text.substring(0, MAX_REASON) + "…" : text;
  }
}
