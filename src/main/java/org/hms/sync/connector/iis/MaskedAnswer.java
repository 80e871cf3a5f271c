package org.hms.sync.connector.iis;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registry's answer as it may be kept with a dead letter for the operator: on one line, cut to
 * {@value #LONGEST} characters, with patient data masked as {@value #MASK}.
 *
 * <p>What is masked, before the answer is cut (so no part of a value survives at the cut):
 *
 * <ul>
 *   <li>every HL7 segment but MSH, MSA and ERR, whoever's data it holds, down to its name ({@code
 *       PID|***}): PID, NK1 and the like carry names, birth dates, identifiers and addresses;
 *   <li>anywhere in the text, the patient's MRN, given and family name (whatever their case), and
 *       birth date as HL7 ({@code 19800101}), ISO ({@code 1980-01-01}) and US ({@code 01/01/1980},
 *       {@code 1/1/1980}) dates.
 * </ul>
 *
 * <p>MSH, MSA and ERR hold codes, control ids and the registry's own messages, which is what the
 * operator needs to judge the answer.
 */
final class MaskedAnswer {
  static final String MASK = "***";
  static final int LONGEST = 600;

  private static final Set<String> KEPT_SEGMENTS = Set.of("MSH", "MSA", "ERR");
  /** A line that starts (after whitespace or an XML tag) with a segment name and a separator. */
  private static final Pattern SEGMENT =
      Pattern.compile(
          "^(\\s*(?:<[^>]*>\\s*)*)([A-Z][A-Z0-9]{2})([|^~\\\\&#%].*)$", Pattern.DOTALL);
  private static final Pattern LINE_BREAK = Pattern.compile("\r\n|\r|\n");
  private static final List<DateTimeFormatter> DATE_FORMS =
      List.of(
          DateTimeFormatter.BASIC_ISO_DATE,
          DateTimeFormatter.ISO_LOCAL_DATE,
          DateTimeFormatter.ofPattern("MM/dd/yyyy"),
          DateTimeFormatter.ofPattern("M/d/yyyy"));

  private MaskedAnswer() {}

  /**
   * The answer with patient data masked, on one line, cut to {@value #LONGEST} characters.
   *
   * @param answer the answer as received (or as decoded), may be {@code null}
   * @param patient whose values are masked wherever they appear
   */
  static String of(String answer, Patient patient) {
    if (answer == null || answer.isBlank()) {
      return "(empty)";
    }
    List<String> lines = new ArrayList<>();
    for (String line : LINE_BREAK.split(answer.replace("\uFEFF", ""), -1)) {
      lines.add(segmentMasked(line));
    }
    String masked = String.join(" ", lines);
    for (Pattern value : patientValues(patient)) {
      masked = value.matcher(masked).replaceAll(MASK);
    }
    String flat = masked.replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
    return flat.length() > LONGEST ? flat.substring(0, LONGEST) + "…" : flat;
  }

  private static String segmentMasked(String line) {
    Matcher segment = SEGMENT.matcher(line);
    if (segment.matches() && !KEPT_SEGMENTS.contains(segment.group(2))) {
      return segment.group(1) + segment.group(2) + segment.group(3).charAt(0) + MASK;
    }
    return line;
  }

  /** The patient's values as case-insensitive literal patterns, the longest first. */
  private static List<Pattern> patientValues(Patient patient) {
    List<String> values = new ArrayList<>();
    addIfLongEnough(values, patient.mrn());
    addIfLongEnough(values, patient.givenName());
    addIfLongEnough(values, patient.familyName());
    LocalDate birthDate = patient.birthDate();
    for (DateTimeFormatter form : DATE_FORMS) {
      values.add(form.format(birthDate));
    }
    // Longest first, so masking "Ann" cannot leave the rest of "Annabel" behind.
    values.sort(Comparator.comparingInt(String::length).reversed());
    List<Pattern> patterns = new ArrayList<>();
    for (String value : values) {
      patterns.add(
          Pattern.compile(
              Pattern.quote(value), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
    }
    return patterns;
  }

  /** A one-letter value would mask that letter everywhere; it is too short to identify anyone. */
  private static void addIfLongEnough(List<String> values, String value) {
    String stripped = value.strip();
    if (stripped.length() >= 2) {
      values.add(stripped);
    }
  }
}
