package org.hms.sync.connector.iis;

/**
 * Per-connector settings of every VXU sent to one registry: the MSH addressing fields, the
 * processing id and the assigning authority of our MRNs. The registry assigns these values when it
 * onboards a clinic.
 *
 * @param sendingApplication MSH-3
 * @param sendingFacility MSH-4, usually the registry's id of the clinic
 * @param receivingApplication MSH-5, or {@code null} to leave it empty (the CDC guide allows that)
 * @param receivingFacility MSH-6, or {@code null} to leave it empty
 * @param processingId MSH-11 (HL7 table 0103): {@code P} (production), {@code T} (training, the
 *     registry's test system) or {@code D} (debugging)
 * @param mrnAuthority PID-3.4, the assigning authority of the EMR's medical record numbers
 */
public record MessageHeader(
    String sendingApplication,
    String sendingFacility,
    String receivingApplication,
    String receivingFacility,
    String processingId,
    String mrnAuthority) {

  public MessageHeader {
    requireText(sendingApplication, "sendingApplication");
    requireText(sendingFacility, "sendingFacility");
    receivingApplication = blankToNull(receivingApplication);
    receivingFacility = blankToNull(receivingFacility);
    requireText(mrnAuthority, "mrnAuthority");
    if (!"P".equals(processingId) && !"T".equals(processingId) && !"D".equals(processingId)) {
      throw new IllegalArgumentException(
          "processingId must be P (production), T (training) or D (debugging); was '"
              + processingId
              + "'");
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
  }
}
