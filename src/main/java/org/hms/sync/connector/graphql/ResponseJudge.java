package org.hms.sync.connector.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.hms.sync.SyncException;
import org.hms.sync.connector.http.AnswerClass;
import org.hms.sync.connector.http.AnswerTooLargeException;
import org.hms.sync.connector.http.RetryAfter;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.json.Json;
import org.hms.sync.json.JsonInputException;

/**
 * Turns a GraphQL server's answer into a {@link PushResult}. The HTTP status decides first, as
 * {@link AnswerClass} says (408, 425, 429 and 5xx retryable, other non-2xx permanent; a 401 is
 * retryable when a fresh token can be had); a 2xx answer is read as a GraphQL response and its
 * {@code errors} decide: none is success, any error judged permanent makes the whole
 * attempt permanent, otherwise it is retryable. Errors only below a mutation field that did return
 * its object mean the mutation was applied (success with a note).
 *
 * <p>Reasons carry error codes and paths, never the servers' messages: those often quote the
 * variables sent, i.e. patient data.
 */
final class ResponseJudge {
  /** Errors described one by one in a reason; the rest are counted. */
  private static final int LISTED = 5;

  /** Steps of an error's path shown in a reason. */
  private static final int PATH_STEPS = 16;

  private static final Pattern SAFE_CODE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
  private static final Pattern SAFE_FIELD = Pattern.compile("[_A-Za-z][_0-9A-Za-z]{0,63}");

  private final ErrorCodes codes;
  private final Clock clock;
  private final java.util.function.BooleanSupplier onUnauthenticated;

  /**
   * @param onUnauthenticated called on 401 or an UNAUTHENTICATED error: drops cached tokens and
   *     tells whether the next attempt carries a fresh one (then a 401 is retryable)
   */
  ResponseJudge(
      ErrorCodes codes, Clock clock, java.util.function.BooleanSupplier onUnauthenticated) {
    this.codes = codes;
    this.clock = clock;
    this.onUnauthenticated = onUnauthenticated;
  }

  /** One error of the answer: what may be said about it. */
  private record GraphqlError(String code, String path) {
    String describe() {
      String name =
          code == null
              ? "(no code)"
              : SAFE_CODE.matcher(code).matches() ? code : "(unprintable code)";
      return path.isEmpty() ? name : name + " at " + path;
    }
  }

  /**
   * @param retryAfter the Retry-After header, or {@code null}
   * @param what the operation and where it went, e.g. {@code mutation CreateAppointment (POST
   *     /graphql)}
   * @param pointer JSON pointer into {@code data} to the external id, or {@code null}
   */
  PushResult judge(int status, String retryAfter, byte[] body, String what, String pointer) {
    if (status == 401 && onUnauthenticated.getAsBoolean()) {
      return new PushResult.Retryable(
          status,
          "HttpStatus",
          "HTTP 401 from " + what + " (the access token is renewed for the next attempt)",
          null);
    }
    if (AnswerClass.of(status) != AnswerClass.SUCCESS) {
      return judgeStatus(status, retryAfter, body, what);
    }
    JsonNode answer;
    try {
      answer = Json.read(body == null ? new byte[0] : body);
    } catch (JsonInputException malformed) {
      return unknownOutcome(status, what, "is not JSON (" + malformed.problem() + ")");
    }
    JsonNode errorsNode = answer.path("errors");
    JsonNode data = answer.path("data");
    if (!answer.isObject()
        || !(errorsNode.isMissingNode() || errorsNode.isNull() || errorsNode.isArray())
        || (errorsNode.isEmpty() && !data.isObject())) {
      return unknownOutcome(
          status,
          what,
          "is JSON but no GraphQL response (it needs a data object or an errors array)");
    }
    if (errorsNode.isEmpty()) {
      return success(status, data, pointer, null);
    }
    List<GraphqlError> errors = read(errorsNode);
    if (applied(data, errorsNode)) {
      return success(
          status,
          data,
          pointer,
          "mutation applied, but its answer has "
              + count(errors.size())
              + " below the mutation's field: "
              + list(errors, null));
    }
    boolean retryable = true;
    List<ErrorCodes.Judgement> judgements = new ArrayList<>();
    for (GraphqlError error : errors) {
      ErrorCodes.Judgement judgement = codes.judge(error.code());
      judgements.add(judgement);
      retryable &= judgement.retryable();
      if (error.code() != null && ErrorCodes.normalize(error.code()).equals("UNAUTHENTICATED")) {
        onUnauthenticated.getAsBoolean();
      }
    }
    String reason = count(errors.size()) + ": " + list(errors, judgements) + " for " + what;
    if (retryable) {
      return new PushResult.Retryable(
          status,
          "GraphqlError",
          reason,
          RetryAfter.parse(retryAfter, clock.instant()).orElse(null));
    }
    return new PushResult.Permanent(status, "GraphqlError", reason);
  }

  /**
   * An answer larger than we read: a non-2xx is judged by its status; after a 2xx the outcome is
   * unknown, as the errors could not be read.
   */
  PushResult tooLarge(AnswerTooLargeException answer, String what) {
    int status = answer.statusCode();
    if (status == 401 && onUnauthenticated.getAsBoolean()) {
      return new PushResult.Retryable(
          status,
          "HttpStatus",
          "HTTP 401 from " + what + " (the access token is renewed for the next attempt)",
          null);
    }
    if (AnswerClass.of(status) != AnswerClass.SUCCESS) {
      return judgeStatus(status, answer.retryAfter(), " (" + answer.getMessage() + ")", what);
    }
    return unknownOutcome(status, what, "was not read (" + answer.getMessage() + ")");
  }

  private PushResult judgeStatus(int status, String retryAfter, byte[] body, String what) {
    return judgeStatus(status, retryAfter, errorsIn(body), what);
  }

  private PushResult judgeStatus(int status, String retryAfter, String errors, String what) {
    String detail = "HTTP " + status + " for " + what + errors;
    if (AnswerClass.of(status) == AnswerClass.RETRYABLE) {
      return new PushResult.Retryable(
          status, "HttpStatus", detail, RetryAfter.parse(retryAfter, clock.instant()).orElse(null));
    }
    return new PushResult.Permanent(status, "HttpStatus", detail);
  }

  /**
   * A 2xx answer that is no GraphQL response (a proxy's page, a cut-off body): whether the mutation
   * ran is unknown, and the only way to find out is to send it again with the same Idempotency-Key.
   * The retry limit ends it if the URL is simply wrong.
   */
  private static PushResult unknownOutcome(int status, String what, String problem) {
    return new PushResult.Retryable(
        status,
        "InvalidResponse",
        "HTTP "
            + status
            + " answer to "
            + what
            + " "
            + problem
            + "; outcome unknown, retried with the same Idempotency-Key (check the connector's"
            + " baseUrl if this persists)",
        null);
  }

  private static PushResult success(int status, JsonNode data, String pointer, String note) {
    if (pointer == null) {
      return new PushResult.Success(status, null, note);
    }
    JsonNode value = data.at(pointer);
    if (value.isMissingNode() || value.isNull() || value.isContainerNode()) {
      String missing = "data has no scalar at " + pointer + "; external id not stored";
      return new PushResult.Success(status, null, note == null ? missing : note + "; " + missing);
    }
    return new PushResult.Success(status, value.asText(), note);
  }

  /**
   * True when every error lies below a top-level field whose value came back: the mutation's
   * resolver returned its object, so the change was made and only part of the answer failed.
   */
  private static boolean applied(JsonNode data, JsonNode errors) {
    if (!data.isObject()) {
      return false;
    }
    for (JsonNode error : errors) {
      JsonNode path = error.path("path");
      if (!path.isArray() || path.size() < 2 || !path.get(0).isTextual()) {
        return false;
      }
      JsonNode field = data.get(path.get(0).asText());
      if (field == null || field.isNull()) {
        return false;
      }
    }
    return true;
  }

  /** ": GraphQL errors ..." when a non-2xx body is a GraphQL response, else nothing. */
  private static String errorsIn(byte[] body) {
    try {
      JsonNode errors = Json.read(body == null ? new byte[0] : body).path("errors");
      return errors.isArray() && !errors.isEmpty()
          ? ": " + count(errors.size()) + ": " + list(read(errors), null)
          : "";
    } catch (SyncException notJson) {
      return "";
    }
  }

  private static List<GraphqlError> read(JsonNode errors) {
    List<GraphqlError> read = new ArrayList<>();
    for (JsonNode error : errors) {
      JsonNode extensions = error.path("extensions");
      JsonNode code = extensions.path("code");
      if (!code.isTextual()) {
        code = extensions.path("classification");
      }
      read.add(new GraphqlError(code.isTextual() ? code.asText() : null, path(error.path("path"))));
    }
    return read;
  }

  /**
   * {@code createAppointment.vaccine.0.lot}: field names and indexes only, the first {@value
   * #PATH_STEPS} steps of a longer path followed by "...".
   */
  private static String path(JsonNode path) {
    if (!path.isArray()) {
      return "";
    }
    List<String> steps = new ArrayList<>();
    for (JsonNode step : path) {
      if (steps.size() == PATH_STEPS) {
        steps.add("...");
        break;
      }
      if (step.isIntegralNumber()) {
        steps.add(step.asText());
      } else if (step.isTextual() && SAFE_FIELD.matcher(step.asText()).matches()) {
        steps.add(step.asText());
      } else {
        steps.add("?");
      }
    }
    return String.join(".", steps);
  }

  /** "X at a.b (judgement); (no code) at c; and 2 more". */
  private static String list(List<GraphqlError> errors, List<ErrorCodes.Judgement> judgements) {
    List<String> described = new ArrayList<>();
    for (int index = 0; index < Math.min(errors.size(), LISTED); index++) {
      described.add(
          errors.get(index).describe()
              + (judgements == null ? "" : " (" + judgements.get(index).label() + ")"));
    }
    String more = errors.size() > LISTED ? "; and " + (errors.size() - LISTED) + " more" : "";
    return String.join("; ", described) + more;
  }

  private static String count(int errors) {
    return errors == 1 ? "1 GraphQL error" : errors + " GraphQL errors";
  }
}
