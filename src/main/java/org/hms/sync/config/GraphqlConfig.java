package org.hms.sync.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code graphql} section of a {@code graphql} connector.
 *
 * @param errorCodes how an error's {@code extensions.code} is judged: {@code retryable} or {@code
 *     permanent}. Codes not listed here are judged by the built-in defaults (see docs).
 */
public record GraphqlConfig(Map<String, String> errorCodes) implements ConnectorSettings {

  public GraphqlConfig {
    errorCodes =
        errorCodes == null
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(errorCodes));
  }

  /** Only the built-in judgement of error codes. */
  public static GraphqlConfig defaults() {
    return new GraphqlConfig(Map.of());
  }
}
