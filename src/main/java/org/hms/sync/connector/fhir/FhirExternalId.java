package org.hms.sync.connector.fhir;

import java.util.List;
import java.util.Objects;

/**
 * What the fhir connector stores as an appointment's external id: the Appointment's logical id and
 * the version it last wrote or saw, as the relative reference {@code Appointment/<id>/_history/<vid>}
 * (or {@code Appointment/<id>} when the server does not version, or a repair wants the current
 * version read). An update compares it with the version it reads: another one means the
 * Appointment changed at the server (a version conflict). An inbound reader can also tell our own
 * writes (echoes) from the server's by it.
 *
 * @param logicalId the server's id of the Appointment
 * @param versionId its version as we last saw it, or {@code null} when unknown
 */
public record FhirExternalId(String logicalId, String versionId) {

  public FhirExternalId {
    Objects.requireNonNull(logicalId, "logicalId");
    if (logicalId.isBlank()) {
      throw new IllegalArgumentException("logicalId is blank");
    }
    if (versionId != null && versionId.isBlank()) {
      versionId = null;
    }
  }

  /**
   * Reads a stored external id: {@code 123}, {@code Appointment/123}, {@code
   * Appointment/123/_history/4} or an absolute URL ending in one of those.
   *
   * @throws IllegalArgumentException when the text holds no logical id
   */
  public static FhirExternalId parse(String externalId) {
    if (externalId == null || externalId.isBlank()) {
      throw new IllegalArgumentException("external id is empty");
    }
    List<String> segments =
        List.of(externalId.trim().split("/")).stream().filter(part -> !part.isEmpty()).toList();
    int history = segments.lastIndexOf("_history");
    if (history > 0 && history == segments.size() - 2) {
      return new FhirExternalId(segments.get(history - 1), segments.get(history + 1));
    }
    if (history >= 0) {
      throw new IllegalArgumentException(
          "external id '" + externalId + "' has _history but no logical id and version around it");
    }
    return new FhirExternalId(segments.get(segments.size() - 1), null);
  }

  /** {@code Appointment/<id>/_history/<vid>}, or {@code Appointment/<id>} without a version. */
  @Override
  public String toString() {
    return "Appointment/" + logicalId + (versionId == null ? "" : "/_history/" + versionId);
  }
}
