package org.hms.sync;

/**
 * What a text value may hold. Every string the service stores or sends (names, MRNs, codes,
 * reasons, ids) must be printable: no C0 control characters (NUL, TAB, CR and LF included), no
 * DEL, no C1 control characters, no unpaired surrogate, and neither U+FFFE nor U+FFFF. Such
 * characters are not XML 1.0 (a registry refuses the SOAP envelope), PostgreSQL cannot store NUL,
 * and in HL7 v2 they break the message framing.
 */
public final class Text {
  private Text() {}

  /**
   * Why the value may not be stored, e.g. "contains a control character (U+0001)", or {@code
   * null} when it may. Shows the code point, never the text around it.
   */
  public static String problem(String value) {
    if (value == null) {
      return null;
    }
    for (int index = 0; index < value.length(); index++) {
      char current = value.charAt(index);
      if (current < 0x20 || current >= 0x7f && current <= 0x9f) {
        return "contains a control character (" + codePoint(current) + ")";
      }
      if (current == 0xfffe || current == 0xffff) {
        return "contains a noncharacter (" + codePoint(current) + ")";
      }
      if (Character.isHighSurrogate(current)) {
        if (index + 1 < value.length() && Character.isLowSurrogate(value.charAt(index + 1))) {
          index++;
          continue;
        }
        return "contains an unpaired surrogate (" + codePoint(current) + "): not valid Unicode";
      }
      if (Character.isLowSurrogate(current)) {
        return "contains an unpaired surrogate (" + codePoint(current) + "): not valid Unicode";
      }
    }
    return null;
  }

  /**
   * Text from an external system made fit for one line of a reason: runs of whitespace become one
   * space, any other character {@link #problem} objects to becomes U+FFFD, and text longer than
   * {@code max} characters is cut there with "…" (never between the halves of a surrogate pair).
   * Masks nothing: callers that may see PHI must not pass it here.
   */
  public static String excerpt(String text, int max) {
    if (text == null) {
      return "";
    }
    StringBuilder line = new StringBuilder(Math.min(text.length(), max + 1));
    boolean space = false;
    for (int index = 0; index < text.length() && line.length() <= max; index++) {
      char current = text.charAt(index);
      if (Character.isWhitespace(current) || Character.isSpaceChar(current)) {
        space = line.length() > 0;
        continue;
      }
      if (space) {
        line.append(' ');
        space = false;
      }
      if (Character.isHighSurrogate(current)
          && index + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(index + 1))) {
        line.append(current).append(text.charAt(++index));
      } else if (problem(String.valueOf(current)) != null) {
        line.append('\uFFFD');
      } else {
        line.append(current);
      }
    }
    if (line.length() <= max) {
      return line.toString();
    }
    int end = Character.isHighSurrogate(line.charAt(max - 1)) ? max - 1 : max;
    return line.substring(0, end) + "…";
  }

  private static String codePoint(char character) {
    return String.format("U+%04X", (int) character);
  }
}
