package org.hms.sync.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.hms.sync.SyncException;

/** The one Jackson configuration of the service: ISO-8601 instants, no timestamps as numbers. */
public final class Json {
  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Json() {}

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException failure) {
      throw new SyncException("cannot write JSON: " + failure.getOriginalMessage(), failure);
    }
  }

  public static String pretty(Object value) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (JsonProcessingException failure) {
      throw new SyncException("cannot write JSON: " + failure.getOriginalMessage(), failure);
    }
  }

  /** Parses JSON; the exception message says where it broke, without echoing the content. */
  public static JsonNode read(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException failure) {
      // Jackson's own message quotes the offending input, which may be PHI: place and kind only.
      String kind =
          failure instanceof com.fasterxml.jackson.core.io.JsonEOFException
              ? "unexpected end of input"
              : "unexpected character or token";
      throw new SyncException(
          "malformed JSON at line "
              + failure.getLocation().getLineNr()
              + ", column "
              + failure.getLocation().getColumnNr()
              + ": "
              + kind,
          failure);
    }
  }
}
