package org.hms.sync.connector.fhir;

import org.hms.sync.connector.RetryAfter;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.client.exceptions.FhirClientConnectionException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLException;
import org.apache.http.NoHttpResponseException;
import org.hl7.fhir.instance.model.api.IBaseOperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hms.sync.SyncException;
import org.hms.sync.connector.auth.AuthException;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.mapping.MappingException;

/**
 * How the fhir connector judges a failed call: 408, 409, 412, 429 and 5xx, network errors and
 * timeouts may pass and are retryable (Retry-After honoured); any other 4xx is permanent.
 * OperationOutcome issues go into the reason as {@code severity code: diagnostics}, with the
 * patient's values masked.
 */
final class Outcomes {
  static final int MAX_REASON = 500;
  private static final int MAX_ISSUE = 200;

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

  static boolean retryable(int status) {
    return status == 408 || status == 409 || status == 412 || status == 429 || status >= 500;
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
    // a connection failure is a BaseServerResponseException too: check it first
    if (cause instanceof FhirClientConnectionException connection) {
      return network(connection, what);
    }
    if (cause instanceof BaseServerResponseException response) {
      return httpStatus(response, what, redactor, now, retryAfter);
    }
    if (cause instanceof DataFormatException) {
      return new PushResult.Retryable(
          null, "DataFormatException", "the answer to " + what + " is not readable FHIR", null);
    }
    String kind = cause.getClass().getSimpleName();
    return new PushResult.Retryable(null, kind, "unexpected " + kind + " on " + what, null);
  }

  private static PushResult httpStatus(
      BaseServerResponseException response,
      String what,
      Redactor redactor,
      Instant now,
      String retryAfter) {
    int status = response.getStatusCode();
    String detail = "HTTP " + status + " from " + what + detail(response, redactor);
    if (status >= 200 && status < 300) {
      return new PushResult.Retryable(
          status, "UnreadableResponse", "unreadable answer (" + detail + ")", null);
    }
    if (retryable(status)) {
      return new PushResult.Retryable(
          status,
          "HttpStatus",
          cut(detail),
          RetryAfter.parse(retryAfter, now).orElse(null));
    }
    return new PushResult.Permanent(status, "HttpStatus", cut(detail));
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
