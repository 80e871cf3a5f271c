package org.hms.sync.config;

import java.util.Objects;

/**
 * The {@code iis} section of an {@code iis-soap} connector: credentials of the CDC WSDL's
 * submitSingleMessage and the MSH values a registry expects. {@link #toString()} never shows the
 * password.
 *
 * @param username sent as submitSingleMessage's username, or {@code null} when the registry takes
 *     none (for example with mutual TLS)
 * @param password sent as submitSingleMessage's password, or {@code null}
 * @param facilityId sent as submitSingleMessage's facilityID, or {@code null}
 * @param sendingApplication MSH-3, default {@code HMS-SYNC}
 * @param sendingFacility MSH-4, usually the registry-assigned org id; required
 * @param receivingApplication MSH-5, or {@code null}
 * @param receivingFacility MSH-6, or {@code null}
 * @param processingId MSH-11: {@code P} production, {@code T} training (default), {@code D} debug
 * @param mrnAuthority PID-3.4 assigning authority of our MRNs, default {@code HMS}
 * @param unreadableAckRetries how many times a VXU is sent again after an HTTP 2xx answer that
 *     holds no readable ACK (the registry may have recorded the dose) before it becomes a dead
 *     letter for a person to decide; {@code >= 0}, default 1
 */
public record IisConfig(
    String username,
    String password,
    String facilityId,
    String sendingApplication,
    String sendingFacility,
    String receivingApplication,
    String receivingFacility,
    String processingId,
    String mrnAuthority,
    int unreadableAckRetries)
    implements ConnectorSettings {

  public IisConfig {
    Objects.requireNonNull(sendingFacility, "sendingFacility");
    sendingApplication = sendingApplication == null ? "HMS-SYNC" : sendingApplication;
    processingId = processingId == null ? "T" : processingId;
    mrnAuthority = mrnAuthority == null ? "HMS" : mrnAuthority;
    if (unreadableAckRetries < 0) {
      throw new IllegalArgumentException(
          "unreadableAckRetries must be >= 0 (default "
              + Defaults.UNREADABLE_ACK_RETRIES
              + "); was "
              + unreadableAckRetries);
    }
  }

  /** With the default {@code unreadableAckRetries}. */
  public IisConfig(
      String username,
      String password,
      String facilityId,
      String sendingApplication,
      String sendingFacility,
      String receivingApplication,
      String receivingFacility,
      String processingId,
      String mrnAuthority) {
    this(
        username,
        password,
        facilityId,
        sendingApplication,
        sendingFacility,
        receivingApplication,
        receivingFacility,
        processingId,
        mrnAuthority,
        Defaults.UNREADABLE_ACK_RETRIES);
  }

  @Override
  public String toString() {
    return "IisConfig[username="
        + username
        + (password == null ? "" : ", password=" + Redact.MASK)
        + ", facilityId="
        + facilityId
        + ", sendingApplication="
        + sendingApplication
        + ", sendingFacility="
        + sendingFacility
        + ", receivingApplication="
        + receivingApplication
        + ", receivingFacility="
        + receivingFacility
        + ", processingId="
        + processingId
        + ", mrnAuthority="
        + mrnAuthority
        + ", unreadableAckRetries="
        + unreadableAckRetries
        + "]";
  }
}
