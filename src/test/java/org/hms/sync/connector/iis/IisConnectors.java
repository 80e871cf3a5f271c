package org.hms.sync.connector.iis;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hms.sync.config.AuthConfig;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.IisConfig;
import org.hms.sync.config.RouteConfig;
import org.hms.sync.config.TimeoutsConfig;
import org.hms.sync.delivery.Connector;
import org.hms.sync.delivery.PushRequest;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.outbox.OutboxEvent;
import org.hms.sync.scheduling.AppointmentStatus;

/** Configs, events and push requests for the iis-soap connector tests. */
final class IisConnectors {
  static final Instant NOW = Instant.parse("2027-03-01T15:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final TimeoutsConfig TIMEOUTS =
      new TimeoutsConfig(Duration.ofSeconds(2), Duration.ofSeconds(5));
  static final String PASSWORD = "s3cret-iis-password";
  static final IisConfig SETTINGS =
      new IisConfig(
          "clinic-user", PASSWORD, "FAC-12", null, "CLINIC-0042", "MYIIS", "MYSTATE", "T", "HMS");

  /** The PHI of {@link SampleEvents}: none of it may reach a reason, note or log line. */
  static final String[] PHI = {
    SampleEvents.PATIENT_FAMILY_NAME,
    SampleEvents.PATIENT_GIVEN_NAME,
    SampleEvents.PATIENT_MRN,
    "1980-01-01",
    "19800101"
  };

  private IisConnectors() {}

  static ConnectorConfig config(URI baseUrl) {
    return config(baseUrl, TIMEOUTS, AuthConfig.none(), SETTINGS, subscriptions());
  }

  static ConnectorConfig config(URI baseUrl, TimeoutsConfig timeouts) {
    return config(baseUrl, timeouts, AuthConfig.none(), SETTINGS, subscriptions());
  }

  static ConnectorConfig config(
      URI baseUrl,
      TimeoutsConfig timeouts,
      AuthConfig auth,
      IisConfig settings,
      RouteConfig... routes) {
    Map<String, RouteConfig> byType = new LinkedHashMap<>();
    Arrays.stream(routes).forEach(route -> byType.put(route.eventType(), route));
    return new ConnectorConfig(
        "state-iis",
        IisSoapConnector.TYPE,
        baseUrl,
        auth,
        null,
        timeouts,
        null,
        null,
        null,
        Map.of(),
        byType,
        settings, null, null, null);
  }

  static RouteConfig[] subscriptions() {
    return new RouteConfig[] {
      RouteConfig.subscription(EventTypes.COMPLETED), RouteConfig.subscription(EventTypes.CANCELLED)
    };
  }

  static IisSoapConnector connector(URI baseUrl) {
    return IisSoapConnector.create(config(baseUrl), CLOCK);
  }

  /** The sample appointment completed with CVX 208, lot EK5730, 0.3 mL, Pfizer, IM, LA. */
  static OutboxEvent completedEvent() {
    return SampleEvents.event(EventTypes.COMPLETED, 3, SampleEvents.completed());
  }

  /** Completed without a dose. */
  static OutboxEvent completedWithoutDose() {
    return SampleEvents.event(
        EventTypes.COMPLETED,
        3,
        SampleEvents.snapshot(SampleEvents.APPOINTMENT_ID, AppointmentStatus.COMPLETED, null));
  }

  /** Cancelled as the domain writes it today: the dose is cleared from the snapshot. */
  static OutboxEvent cancelledEvent() {
    return SampleEvents.event(
        EventTypes.CANCELLED,
        4,
        SampleEvents.snapshot(SampleEvents.APPOINTMENT_ID, AppointmentStatus.CANCELLED, null));
  }

  static PushRequest request(OutboxEvent event, String externalId) {
    return request(event, externalId, 1);
  }

  static PushRequest request(OutboxEvent event, String externalId, int attempt) {
    return request(event, externalId, attempt, attempt);
  }

  /** An attempt of a delivery that may have been replayed: {@code attemptInRun <= attempt}. */
  static PushRequest request(
      OutboxEvent event, String externalId, int attempt, int attemptInRun) {
    String delivery = "delivery-" + event.id();
    return new PushRequest(delivery, delivery, attempt, attemptInRun, event, externalId);
  }

  /** The sample settings with another {@code unreadableAckRetries}. */
  static IisConfig settings(int unreadableAckRetries) {
    return new IisConfig(
        SETTINGS.username(),
        SETTINGS.password(),
        SETTINGS.facilityId(),
        SETTINGS.sendingApplication(),
        SETTINGS.sendingFacility(),
        SETTINGS.receivingApplication(),
        SETTINGS.receivingFacility(),
        SETTINGS.processingId(),
        SETTINGS.mrnAuthority(),
        unreadableAckRetries);
  }

  /** Pushes and waits; fails the test if the future does not complete within 15 seconds. */
  static PushResult push(Connector connector, PushRequest request) {
    try {
      return connector.push(request).get(15, TimeUnit.SECONDS);
    } catch (Exception failure) {
      throw new AssertionError("push did not complete normally: " + failure, failure);
    }
  }

  /** The reason or note of a result: what reaches the sync log. */
  static String logged(PushResult result) {
    if (result instanceof PushResult.Success success) {
      return String.valueOf(success.note());
    }
    if (result instanceof PushResult.Retryable retryable) {
      return retryable.errorClass() + " " + retryable.reason();
    }
    PushResult.Permanent permanent = (PushResult.Permanent) result;
    return permanent.errorClass() + " " + permanent.reason();
  }
}
