package org.hms.sync.connector.iis;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Primitive;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.model.v251.datatype.CE;
import ca.uhn.hl7v2.model.v251.datatype.CWE;
import ca.uhn.hl7v2.model.v251.datatype.ELD;
import ca.uhn.hl7v2.model.v251.datatype.ERL;
import ca.uhn.hl7v2.model.v251.message.ACK;
import ca.uhn.hl7v2.model.v251.segment.ERR;
import ca.uhn.hl7v2.model.v251.segment.MSA;
import ca.uhn.hl7v2.parser.PipeParser;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads a registry's acknowledgment of one VXU: leniently in form, strictly in meaning.
 *
 * <p>Lenient: any HL7 v2 version in MSH-12, segments separated by {@code \r}, {@code \n} or {@code
 * \r\n}, MLLP framing characters or surrounding whitespace, missing trailing fields, Z-segments or
 * other segments anywhere, and values that break the standard's data types are all read without
 * complaint; so is an acknowledgment the registry URL-encoded or base64-encoded (see {@link
 * #decoded}). Only MSH, MSA and ERR are read.
 *
 * <p>Strict: the verdict comes from MSA-1 alone ({@code AA}/{@code CA} accepted, {@code AE}/{@code
 * CE} rejected, {@code AR}/{@code CR} refused), and only if MSA-2 echoes the control id we sent;
 * anything else is {@link AckResult.Unreadable}. ERR segments never change the verdict.
 *
 * <p>No result holds PHI of ours: reasons name codes, lengths and control ids, and issues carry
 * locations, codes and the registry's ERR-8 text.
 */
public final class AckReader {
  private static final Pattern PERCENT_ESCAPE = Pattern.compile("%[0-9A-Fa-f]{2}");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  /** Either base64 alphabet (standard or URL-safe), padded or not. */
  private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/_-]+={0,2}");

  private AckReader() {}

  /**
   * Judges one acknowledgment. Never throws on bad text; a result reports it.
   *
   * @param ackText the acknowledgment as received (for SOAP, the {@code return} of {@code
   *     submitSingleMessage}); may be {@code null} or empty
   * @param expectedControlId the MSH-10 of the VXU it should acknowledge
   */
  public static AckResult read(String ackText, String expectedControlId) {
    if (expectedControlId == null || expectedControlId.isBlank()) {
      throw new IllegalArgumentException(
          "expectedControlId must be the MSH-10 of the message sent; it was empty");
    }
    if (ackText == null || ackText.isBlank()) {
      return new AckResult.Unreadable("the acknowledgment is empty");
    }
    String text = decoded(ackText);
    if (!text.startsWith("MSH")) {
      return new AckResult.Unreadable(
          "the acknowledgment is not an HL7 v2 message: it does not start with an MSH segment ("
              + text.length()
              + " characters, not shown)");
    }
    ACK ack;
    List<AckIssue> issues;
    try {
      ack = parsed(readableSegments(text));
      issues = issues(ack);
    } catch (HL7Exception e) {
      // HAPI's message quotes the text, which may hold anything: it stays out of the reason.
      return new AckResult.Unreadable(
          "the acknowledgment is not a readable HL7 v2 message (" + text.length() + " characters)");
    }
    MSA msa = ack.getMSA();
    String ackCode = value(msa.getMsa1_AcknowledgmentCode());
    String echoedId = value(msa.getMsa2_MessageControlID());
    if (ackCode.isEmpty() && echoedId.isEmpty()) {
      return new AckResult.Unreadable("the acknowledgment has no MSA segment, or an empty one");
    }
    if (!echoedId.equals(expectedControlId.trim())) {
      return new AckResult.Unreadable(
          "the acknowledgment is for another message: MSA-2 is "
              + shown(echoedId, 64)
              + ", but the message sent had control id '"
              + expectedControlId
              + "'");
    }
    String textMessage = value(msa.getMsa3_TextMessage());
    return switch (ackCode) {
      case "AA", "CA" -> new AckResult.Accepted(issues, textMessage);
      case "AE", "CE" -> new AckResult.Rejected(issues, textMessage);
      case "AR", "CR" -> new AckResult.Refused(issues, textMessage);
      default -> new AckResult.Unreadable(
          "MSA-1 is "
              + shown(ackCode, 4)
              + ", not an acknowledgment code (AA, AE, AR, CA, CE or CR)");
    };
  }

  /**
   * The acknowledgment as HL7 text: {@linkplain #normalized normalized}, and decoded first when
   * the registry sent it URL-encoded ({@code MSH%7C...}, {@code +} or {@code %20} for a space) or
   * base64-encoded (standard or URL-safe alphabet, line breaks allowed). An encoding is taken only
   * when its decoded text is an HL7 message (starts with {@code MSH}); otherwise the text is
   * returned normalized, as given. Never throws.
   */
  static String decoded(String ackText) {
    String text = normalized(ackText);
    if (text.startsWith("MSH") && !text.startsWith("MSH%")) {
      return text;
    }
    String urlDecoded = urlDecoded(text);
    if (urlDecoded != null && urlDecoded.startsWith("MSH")) {
      return urlDecoded;
    }
    String base64Decoded = base64Decoded(text);
    if (base64Decoded != null && base64Decoded.startsWith("MSH")) {
      return base64Decoded;
    }
    return text;
  }

  /** Percent-decoded as UTF-8, or {@code null} when the text holds no valid percent-escapes. */
  private static String urlDecoded(String text) {
    if (!PERCENT_ESCAPE.matcher(text).find()) {
      return null;
    }
    // Form encoding writes a space as '+' (and a plus as %2B); RFC 3986 encoders write %20 and
    // may leave '+' as it is. A text with %20 in it is taken to be of the second kind.
    String plusKept = text.contains("%20") ? text.replace("+", "%2B") : text;
    try {
      return normalized(URLDecoder.decode(plusKept, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException malformed) {
      return null;
    }
  }

  /** Base64-decoded as UTF-8, or {@code null} when the text is not base64. */
  private static String base64Decoded(String text) {
    String compact = WHITESPACE.matcher(text).replaceAll("");
    if (compact.isEmpty() || !BASE64.matcher(compact).matches()) {
      return null;
    }
    String standard = compact.replace('-', '+').replace('_', '/');
    try {
      return normalized(
          new String(Base64.getMimeDecoder().decode(standard), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException malformed) {
      return null;
    }
  }

  /** One segment separator ({@code \r}), no BOM, no MLLP frame, no surrounding whitespace. */
  private static String normalized(String ackText) {
    // strip() also drops MLLP's start (0x0B) and end (0x1C) bytes: Java counts both as whitespace.
    String text = ackText.replace("\uFEFF", "").strip();
    return text.replace("\r\n", "\r").replace('\n', '\r');
  }

  /**
   * The segments we read, in the order of the ACK structure: the first (MSH), then MSA, then every
   * ERR. All others (Z-segments, SFT, anything out of place) are dropped before HAPI sees them: it
   * files an unexpected segment away as non-standard, and then files the next ERR away too, so an
   * ERR after a Z-segment would be lost.
   */
  private static String readableSegments(String text) {
    String[] segments = text.split("\r");
    char fieldSeparator = segments[0].length() > 3 ? segments[0].charAt(3) : '|';
    List<String> msa = new ArrayList<>();
    List<String> err = new ArrayList<>();
    for (int i = 1; i < segments.length; i++) {
      String segment = segments[i].stripLeading();
      int end = segment.indexOf(fieldSeparator);
      String name = end < 0 ? segment : segment.substring(0, end);
      if (name.equals("MSA")) {
        msa.add(segment);
      } else if (name.equals("ERR")) {
        err.add(segment);
      }
    }
    List<String> kept = new ArrayList<>();
    kept.add(segments[0]);
    kept.addAll(msa);
    kept.addAll(err);
    return String.join("\r", kept);
  }

  /**
   * Parses into a v2.5.1 ACK whatever MSH-9 and MSH-12 say, so an ACK marked {@code 2.3.1} or
   * {@code 2.5} reads the same. Unknown segments are kept aside by HAPI, not refused.
   */
  private static ACK parsed(String text) throws HL7Exception {
    PipeParser parser = Hl7.parser();
    ACK ack = new ACK(Hl7.models());
    ack.setParser(parser);
    parser.parse(ack, text);
    return ack;
  }

  private static List<AckIssue> issues(ACK ack) throws HL7Exception {
    List<AckIssue> issues = new ArrayList<>();
    for (ERR err : ack.getERRAll()) {
      if (hasAnyOfFields(err, 2, 8)) {
        issues.add(issue(err));
      } else {
        // Before v2.5, ERR held only ERR-1 (code and location); some registries still send that.
        for (ELD legacy : err.getErr1_ErrorCodeAndLocation()) {
          if (!legacy.isEmpty()) {
            issues.add(legacyIssue(legacy));
          }
        }
      }
    }
    return issues;
  }

  private static AckIssue issue(ERR err) {
    List<String> locations = new ArrayList<>();
    for (ERL erl : err.getErr2_ErrorLocation()) {
      String location =
          location(
              value(erl.getErl1_SegmentID()),
              value(erl.getErl2_SegmentSequence()),
              value(erl.getErl3_FieldPosition()),
              value(erl.getErl5_ComponentNumber()),
              value(erl.getErl6_SubComponentNumber()));
      if (!location.isEmpty()) {
        locations.add(location);
      }
    }
    CWE code = err.getErr3_HL7ErrorCode();
    CWE application = err.getErr5_ApplicationErrorCode();
    return new AckIssue(
        String.join(", ", locations),
        code(value(code.getIdentifier()), value(code.getText())),
        AckIssue.Severity.fromCode(value(err.getErr4_Severity())),
        // ERR-8 is registry-provided text, passed on as given: the one value here we do not
        // control. Registries write it for the clinic's staff; we add no PHI of ours to it.
        value(err.getErr8_UserMessage()),
        code(value(application.getIdentifier()), value(application.getText())));
  }

  private static AckIssue legacyIssue(ELD eld) {
    CE code = eld.getEld4_CodeIdentifyingError();
    return new AckIssue(
        location(
            value(eld.getEld1_SegmentID()),
            value(eld.getEld2_SegmentSequence()),
            value(eld.getEld3_FieldPosition()),
            "",
            ""),
        code(value(code.getIdentifier()), value(code.getText())),
        AckIssue.Severity.UNSPECIFIED,
        "");
  }

  /** {@code RXA-5}, {@code RXA-5.1}, {@code OBX[3]-5}; empty without a segment id. */
  private static String location(
      String segment, String sequence, String field, String component, String subcomponent) {
    if (segment.isEmpty()) {
      return "";
    }
    StringBuilder location = new StringBuilder(segment);
    if (!sequence.isEmpty() && !sequence.equals("1")) {
      location.append('[').append(sequence).append(']');
    }
    if (!field.isEmpty()) {
      location.append('-').append(field);
      if (!component.isEmpty()) {
        location.append('.').append(component);
        if (!subcomponent.isEmpty()) {
          location.append('.').append(subcomponent);
        }
      }
    }
    return location.toString();
  }

  private static String code(String identifier, String text) {
    return text.isEmpty() ? identifier : identifier + "^" + text;
  }

  private static boolean hasAnyOfFields(ERR err, int first, int last) throws HL7Exception {
    for (int field = first; field <= last; field++) {
      for (Type repetition : err.getField(field)) {
        if (!repetition.isEmpty()) {
          return true;
        }
      }
    }
    return false;
  }

  private static String value(Primitive primitive) {
    String value = primitive.getValue();
    return value == null ? "" : value.trim();
  }

  /** A value read from the ACK, quoted only when short: the ACK could hold anything. */
  private static String shown(String value, int longest) {
    if (value.isEmpty()) {
      return "empty";
    }
    if (value.length() > longest) {
      return "not shown (" + value.length() + " characters)";
    }
    return "'" + value + "'";
  }
}
