package org.hms.sync.connector.fhir;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import org.hms.sync.Text;

/**
 * Masks the patient's identifying values (MRN, names, birth date) in text that came from the FHIR
 * server, e.g. OperationOutcome diagnostics that quote the resource we sent, before it goes into
 * a sync-log reason.
 */
final class Redactor {
  static final String MASK = "***";
  private static final String[] PATIENT_KEYS = {"mrn", "givenName", "familyName", "birthDate"};

  private final List<Pattern> patterns;

  private Redactor(List<Pattern> patterns) {
    this.patterns = patterns;
  }

  /** Masks the values of {@code appointment.patient} in the mapping input. */
  static Redactor of(JsonNode input) {
    JsonNode patient = input.path("appointment").path("patient");
    List<String> values = new ArrayList<>();
    for (String key : PATIENT_KEYS) {
      JsonNode value = patient.path(key);
      if (value.isValueNode() && !value.isNull() && value.asText().strip().length() >= 2) {
        values.add(value.asText().strip());
      }
    }
    // longest first, so "Ann" does not leave the rest of "Annabel" behind
    values.sort(Comparator.comparingInt(String::length).reversed());
    List<Pattern> patterns = new ArrayList<>();
    for (String value : values) {
      patterns.add(Pattern.compile(Pattern.quote(value), Pattern.CASE_INSENSITIVE));
    }
    return new Redactor(List.copyOf(patterns));
  }

  static Redactor none() {
    return new Redactor(List.of());
  }

  /**
   * The text with every patient value masked, flattened to one printable line (control
   * characters shown as U+FFFD) and cut at {@code max}.
   */
  String clean(String text, int max) {
    if (text == null) {
      return "";
    }
    // a generous first cut bounds the work on a huge text; the final cut is far inside it
    String clean = Text.excerpt(text, Math.max(4 * max, 4096));
    for (Pattern pattern : patterns) {
      clean = pattern.matcher(clean).replaceAll(MASK);
    }
    return clean.length() > max ? clean.substring(0, max) + "…" : clean;
  }
}
