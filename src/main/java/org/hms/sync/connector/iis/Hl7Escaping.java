package org.hms.sync.connector.iis;

import ca.uhn.hl7v2.parser.DefaultEscaping;
import ca.uhn.hl7v2.parser.EncodingCharacters;
import ca.uhn.hl7v2.parser.Escaping;

/**
 * How values are escaped in the messages we write (HL7 v2.5.1 section 2.7): every value is text,
 * so each delimiter in it becomes its escape sequence ({@code \F\}, {@code \S\}, {@code \R\},
 * {@code \T\}, and {@code \E\} for the escape character itself, always), and each control
 * character becomes a hexadecimal escape of its one byte: a carriage return {@code \X0D\}, a line
 * feed {@code \X0A\}.
 *
 * <p>HAPI's {@link DefaultEscaping} differs in two ways that matter to a registry: it writes a
 * carriage return as {@code \X000d\}, which reads as two bytes (NUL, then CR), and leaves line
 * feeds as they are; and it copies a backslash that starts something shaped like an escape
 * sequence ({@code \X...\}, {@code \.br\}) unescaped, so a lot number such as {@code A\X41\} would
 * reach the registry as an escape, not as text.
 *
 * <p>Unescaping (reading an ACK) is HAPI's: delimiters are decoded, hexadecimal and formatting
 * escapes are kept as written. Stateless, so threads may share an instance.
 */
final class Hl7Escaping implements Escaping {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private final Escaping reading = new DefaultEscaping();

  @Override
  public String escape(String text, EncodingCharacters encoding) {
    char escape = encoding.getEscapeCharacter();
    StringBuilder escaped = null;
    for (int index = 0; index < text.length(); index++) {
      char character = text.charAt(index);
      String sequence = sequence(character, encoding);
      if (sequence == null) {
        if (escaped != null) {
          escaped.append(character);
        }
        continue;
      }
      if (escaped == null) {
        escaped = new StringBuilder(text.length() + 16).append(text, 0, index);
      }
      escaped.append(escape).append(sequence).append(escape);
    }
    return escaped == null ? text : escaped.toString();
  }

  /** What goes between two escape characters for this character, or {@code null} for itself. */
  private static String sequence(char character, EncodingCharacters encoding) {
    if (character == encoding.getFieldSeparator()) {
      return "F";
    }
    if (character == encoding.getComponentSeparator()) {
      return "S";
    }
    if (character == encoding.getRepetitionSeparator()) {
      return "R";
    }
    if (character == encoding.getSubcomponentSeparator()) {
      return "T";
    }
    if (character == encoding.getEscapeCharacter()) {
      return "E";
    }
    if (character < 0x20 || character == 0x7F) {
      return "X" + HEX[character >> 4] + HEX[character & 0xF];
    }
    return null;
  }

  @Override
  public String unescape(String text, EncodingCharacters encoding) {
    return reading.unescape(text, encoding);
  }
}
