package org.hms.sync.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.hms.sync.SyncException;

/**
 * The one Jackson configuration of the service: ISO-8601 instants, no timestamps as numbers, and
 * explicit limits on what it reads (nesting depth, number length, string and document length), so
 * that a hostile document is refused with a clear {@link JsonInputException} instead of using up
 * memory or stack.
 */
public final class Json {
  /** Deepest nesting of arrays and objects read; the API's own documents use three levels. */
  public static final int MAX_NESTING_DEPTH = 64;

  /** Longest number read, in characters (digits, sign, point and exponent). */
  public static final int MAX_NUMBER_LENGTH = 64;

  /** Longest string value read, in characters. */
  public static final int MAX_STRING_LENGTH = 4 * 1024 * 1024;

  /** Largest document read, in bytes or characters. */
  public static final long MAX_DOCUMENT_LENGTH = 32L * 1024 * 1024;

  public static final ObjectMapper MAPPER =
      new ObjectMapper(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(MAX_NESTING_DEPTH)
                          .maxNumberLength(MAX_NUMBER_LENGTH)
                          .maxStringLength(MAX_STRING_LENGTH)
                          .maxDocumentLength(MAX_DOCUMENT_LENGTH)
                          .build())
                  .build())
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Requests to our own API: a field given twice is an error, not "the last one wins". */
  private static final ObjectReader STRICT =
      MAPPER.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

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

  /**
   * Parses JSON text; a {@link JsonInputException} says where and why it broke (or which limit it
   * passed), without echoing the content.
   */
  public static JsonNode read(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException failure) {
      throw refusal(failure);
    }
  }

  /**
   * Parses a document received as bytes, which must be UTF-8; invalid UTF-8 (overlong forms and
   * encoded surrogates included) is refused naming the field it sits in.
   */
  public static JsonNode read(byte[] utf8) {
    requireUtf8(utf8);
    try {
      return MAPPER.readTree(utf8);
    } catch (IOException failure) {
      throw refusal(failure);
    }
  }

  /**
   * Parses a request sent to our API: UTF-8 bytes, and a field given twice is refused (a client
   * and a proxy could otherwise read different values from one body).
   */
  public static JsonNode readRequest(byte[] utf8) {
    requireUtf8(utf8);
    try {
      return STRICT.readTree(utf8);
    } catch (IOException failure) {
      throw refusal(failure);
    }
  }

  private static void requireUtf8(byte[] bytes) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(4096);
    CoderResult result;
    do {
      out.clear();
      result = decoder.decode(in, out, true);
    } while (result.isOverflow());
    if (result.isError()) {
      int offset = in.position();
      throw new JsonInputException(
          "invalid UTF-8" + field(Arrays.copyOf(bytes, offset)) + " at byte " + offset,
          "; send the body encoded as UTF-8",
          false,
          null);
    }
  }

  /** " in field 'a.b'" for the field whose value the prefix ends in, or "" when there is none. */
  private static String field(byte[] prefix) {
    try (JsonParser parser = MAPPER.getFactory().createParser(prefix)) {
      try {
        while (parser.nextToken() != null) {
          // read up to where the prefix ends
        }
      } catch (IOException | RuntimeException endOfPrefix) {
        // the prefix ends inside a value: the context still names its field
      }
      return named(parser);
    } catch (IOException cannotStart) {
      return "";
    }
  }

  private static JsonInputException refusal(IOException failure) {
    String where = "";
    if (failure instanceof JsonProcessingException processing
        && processing.getLocation() != null) {
      where =
          " at line " + processing.getLocation().getLineNr() + ", column "
              + processing.getLocation().getColumnNr();
    }
    String field =
        failure instanceof JsonProcessingException processing
                && processing.getProcessor() instanceof JsonParser parser
            ? named(parser)
            : "";
    String message = failure.getMessage() == null ? "" : failure.getMessage();
    if (failure instanceof StreamConstraintsException) {
      return limit(message, field, failure);
    }
    if (message.startsWith("Duplicate field")) {
      return new JsonInputException(
          "malformed JSON" + where + ": a field is given twice" + field + "; send each field once",
          false,
          failure);
    }
    String kind;
    if (failure instanceof JsonEOFException) {
      kind = "unexpected end of input";
    } else if (message.startsWith("Invalid UTF-8")) {
      kind = "invalid UTF-8" + field;
    } else if (message.startsWith("Illegal unquoted character")) {
      kind = "a control character inside a string" + field + " (write it escaped, e.g. \\n)";
    } else if (!(failure instanceof JsonProcessingException)) {
      kind = "the input could not be read";
    } else {
      // Jackson's own message quotes the offending input, which may be PHI: place and kind only.
      kind = "unexpected character or token";
    }
    return new JsonInputException("malformed JSON" + where + ": " + kind, false, failure);
  }

  private static JsonInputException limit(String message, String field, IOException failure) {
    if (message.startsWith("Document nesting depth")) {
      return new JsonInputException(
          "JSON nested more than " + MAX_NESTING_DEPTH + " levels deep" + field
              + "; the limit is " + MAX_NESTING_DEPTH,
          false,
          failure);
    }
    if (message.startsWith("Number value length") || message.startsWith("Number length")) {
      return new JsonInputException(
          "a number" + field + " is longer than " + MAX_NUMBER_LENGTH
              + " characters; the limit is " + MAX_NUMBER_LENGTH,
          false,
          failure);
    }
    if (message.startsWith("String value length") || message.startsWith("String length")) {
      return new JsonInputException(
          "a string" + field + " is longer than " + MAX_STRING_LENGTH
              + " characters; the limit is " + MAX_STRING_LENGTH,
          true,
          failure);
    }
    return new JsonInputException(
        "the JSON document is larger than " + MAX_DOCUMENT_LENGTH / (1024 * 1024)
            + " MiB; the limit is " + MAX_DOCUMENT_LENGTH + " bytes",
        true,
        failure);
  }

  /** " in field 'a.b'" from the parser's current place, or "" at the top level. */
  private static String named(JsonParser parser) {
    String pointer = parser.getParsingContext().pathAsPointer().toString();
    if (pointer.isEmpty()) {
      return "";
    }
    return " in field '" + safeName(pointer.substring(1).replace('/', '.')) + "'";
  }

  /** A client-chosen field name made safe to show: printable ASCII, at most 64 characters. */
  private static String safeName(String name) {
    String printable = name.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() > 64 ? printable.substring(0, 64) + "..." : printable;
  }
}
