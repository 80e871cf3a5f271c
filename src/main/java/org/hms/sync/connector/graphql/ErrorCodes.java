package org.hms.sync.connector.graphql;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.hms.sync.SyncException;
import org.hms.sync.config.GraphqlConfig;

/**
 * Judges a GraphQL error by its code ({@code extensions.code}, or graphql-java's {@code
 * extensions.classification} when there is no code): the connector's {@code graphql.errorCodes}
 * first, then the built-in table, then the {@code *} entry, and permanent when nothing matched.
 *
 * <p>Codes are compared ignoring case, {@code -}, spaces and camel case: {@code
 * INTERNAL_SERVER_ERROR}, {@code internal-server-error} and {@code InternalServerError} are one
 * code.
 */
final class ErrorCodes {

  /** The key in {@code graphql.errorCodes} that judges codes listed nowhere, and no code. */
  static final String ANY = "*";

  /** Transient faults by the conventions of Apollo, Spring GraphQL, graphql-java and gateways. */
  static final Set<String> RETRYABLE =
      Set.of(
          "INTERNAL_SERVER_ERROR",
          "INTERNAL_ERROR",
          "SERVICE_UNAVAILABLE",
          "UNAVAILABLE",
          "DOWNSTREAM_SERVICE_ERROR",
          "TIMEOUT",
          "TIMED_OUT",
          "GATEWAY_TIMEOUT",
          "DEADLINE_EXCEEDED",
          "RATE_LIMITED",
          "THROTTLED",
          "TOO_MANY_REQUESTS",
          "EXECUTION_ABORTED");

  /** Requests the server will refuse again, however often they are sent. */
  static final Set<String> PERMANENT =
      Set.of(
          "BAD_USER_INPUT",
          "BAD_REQUEST",
          "GRAPHQL_PARSE_FAILED",
          "GRAPHQL_VALIDATION_FAILED",
          "VALIDATION_FAILED",
          "VALIDATION_ERROR",
          "INVALID_SYNTAX",
          "OPERATION_RESOLUTION_FAILURE",
          "OPERATION_NOT_SUPPORTED",
          "UNAUTHENTICATED",
          "UNAUTHORIZED",
          "FORBIDDEN",
          "NOT_FOUND",
          "CONFLICT");

  /**
   * @param retryable whether another attempt may succeed
   * @param basis why, for the sync log: {@code graphql.errorCodes}, {@code built-in default}, ...
   */
  record Judgement(boolean retryable, String basis) {
    String label() {
      return (retryable ? "retryable" : "permanent") + ": " + basis;
    }
  }

  private final Map<String, Boolean> configured;

  private ErrorCodes(Map<String, Boolean> configured) {
    this.configured = configured;
  }

  /**
   * The connector's table; a value other than {@code retryable} or {@code permanent} fails here, at
   * start-up.
   */
  static ErrorCodes of(String connectorId, GraphqlConfig config) {
    Map<String, Boolean> configured = new HashMap<>();
    Map<String, String> written = new HashMap<>();
    for (Map.Entry<String, String> entry : config.errorCodes().entrySet()) {
      String value =
          entry.getValue() == null ? "" : entry.getValue().trim().toLowerCase(Locale.ROOT);
      boolean retryable;
      if (value.equals("retryable")) {
        retryable = true;
      } else if (value.equals("permanent")) {
        retryable = false;
      } else {
        throw new SyncException(
            "connector '"
                + connectorId
                + "': graphql.errorCodes."
                + entry.getKey()
                + " is '"
                + entry.getValue()
                + "'; use retryable or permanent");
      }
      String key = entry.getKey().equals(ANY) ? ANY : normalize(entry.getKey());
      Boolean earlier = configured.put(key, retryable);
      if (earlier != null && earlier != retryable) {
        throw new SyncException(
            "connector '"
                + connectorId
                + "': graphql.errorCodes lists "
                + written.get(key)
                + " and "
                + entry.getKey()
                + ", one code, once as retryable and once as"
                + " permanent; keep one of them");
      }
      written.put(key, entry.getKey());
    }
    return new ErrorCodes(Map.copyOf(configured));
  }

  /**
   * @param code as the server sent it, or {@code null} when the error has none
   */
  Judgement judge(String code) {
    if (code != null) {
      String key = normalize(code);
      Boolean listed = configured.get(key);
      if (listed != null) {
        return new Judgement(listed, "graphql.errorCodes");
      }
      if (RETRYABLE.contains(key)) {
        return new Judgement(true, "built-in default");
      }
      if (PERMANENT.contains(key)) {
        return new Judgement(false, "built-in default");
      }
    }
    Boolean fallback = configured.get(ANY);
    if (fallback != null) {
      return new Judgement(fallback, "graphql.errorCodes.*");
    }
    return new Judgement(
        false,
        code == null
            ? "error without code (set graphql.errorCodes.* to retryable if such errors are"
                + " transient)"
            : "code not listed (list it in graphql.errorCodes as retryable if it is transient)");
  }

  /**
   * {@code InternalServerError}, {@code internal-server-error} -> {@code INTERNAL_SERVER_ERROR}.
   */
  static String normalize(String code) {
    String snake = code.trim().replaceAll("([a-z0-9])([A-Z])", "$1_$2");
    return snake.replaceAll("[\\s-]+", "_").toUpperCase(Locale.ROOT);
  }
}
