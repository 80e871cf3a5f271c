package org.hms.sync.connector.iis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hms.sync.connector.iis.IisConnectors.PASSWORD;
import static org.hms.sync.connector.iis.IisConnectors.PHI;
import static org.hms.sync.connector.iis.IisConnectors.SETTINGS;
import static org.hms.sync.connector.iis.IisConnectors.completedEvent;
import static org.hms.sync.connector.iis.IisConnectors.logged;
import static org.hms.sync.connector.iis.IisConnectors.push;
import static org.hms.sync.connector.iis.IisConnectors.request;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.hms.sync.config.AuthConfig;
import org.hms.sync.config.IisConfig;
import org.hms.sync.connector.HealthCheck.Health;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.outbox.OutboxEvent;
import org.hms.sync.scheduling.AppointmentStatus;
import org.hms.sync.scheduling.Immunization;
import org.hms.sync.simulator.IisSimulator;
import org.hms.sync.simulator.SimulatorOptions;
import org.hms.sync.simulator.Vaccination;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The iis-soap connector against the project's stand-in registry (the simulator's SOAP service),
 * the way the demo wires them: the registry reads our VXUs with its own HAPI and SAAJ code and
 * keeps what they say.
 */
class IisSoapConnectorSimulatorTest {

  private static final Immunization CORRECTED_DOSE =
      new Immunization(
          "208", "FL1234", "0.3 mL", "Pfizer", "IM", "LA", Instant.parse("2027-03-01T09:07:00Z"));

  private final IisSimulator iis =
      IisSimulator.start(
          SimulatorOptions.defaults().withRequiredCredentials(SETTINGS.username(), PASSWORD));
  private final IisSoapConnector connector = IisConnectors.connector(iis.soapUrl());

  @AfterEach
  void stopSimulator() {
    iis.close();
  }

  @Test
  void a_completed_dose_is_accepted_and_the_registry_holds_it_as_added() {
    PushResult result = push(connector, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    PushResult.Success success = (PushResult.Success) result;
    assertThat(success.httpStatus()).isEqualTo(200);
    assertThat(success.externalId()).isEqualTo(SampleEvents.APPOINTMENT_ID);
    assertThat(success.note()).contains("MSA-1 AA");
    assertThat(iis.vaccinations())
        .containsExactly(
            new Vaccination(SampleEvents.APPOINTMENT_ID, "208", "EK5730", "A", 1, false));
  }

  @Test
  void a_retry_of_the_same_delivery_is_taken_without_a_second_record() {
    push(connector, request(completedEvent(), null, 1));

    PushResult retried = push(connector, request(completedEvent(), null, 2));

    assertThat(retried).isInstanceOf(PushResult.Success.class);
    assertThat(iis.vaccinations())
        .containsExactly(
            new Vaccination(SampleEvents.APPOINTMENT_ID, "208", "EK5730", "A", 2, false));
  }

  @Test
  void a_correction_updates_the_record_it_names() {
    String vaccinationId = added();
    OutboxEvent corrected =
        SampleEvents.event(
            EventTypes.COMPLETED,
            5,
            SampleEvents.snapshot(
                SampleEvents.APPOINTMENT_ID, AppointmentStatus.COMPLETED, CORRECTED_DOSE));

    PushResult result = push(connector, request(corrected, vaccinationId));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    assertThat(iis.vaccinations())
        .containsExactly(new Vaccination(vaccinationId, "208", "FL1234", "U", 2, false));
  }

  @Test
  void a_cancellation_after_the_report_deletes_the_record_and_keeps_it_marked() {
    String vaccinationId = added();
    OutboxEvent cancelled =
        SampleEvents.event(
            EventTypes.CANCELLED,
            4,
            SampleEvents.snapshot(
                SampleEvents.APPOINTMENT_ID,
                AppointmentStatus.CANCELLED,
                SampleEvents.completed().appointment().immunization()));

    PushResult result = push(connector, request(cancelled, vaccinationId));

    assertThat(result).isInstanceOf(PushResult.Success.class);
    assertThat(iis.vaccinations())
        .containsExactly(new Vaccination(vaccinationId, "208", "EK5730", "D", 2, true));
  }

  @Test
  void a_correction_of_a_dose_the_registry_never_got_is_rejected_and_changes_nothing() {
    PushResult result = push(connector, request(completedEvent(), SampleEvents.APPOINTMENT_ID));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    PushResult.Permanent rejected = (PushResult.Permanent) result;
    assertThat(rejected.errorClass()).isEqualTo("AckRejected");
    assertThat(rejected.reason())
        .contains("MSA-1 AE")
        .contains("ORC-3")
        .contains("204")
        .contains("holds no vaccination with ORC-3 '" + SampleEvents.APPOINTMENT_ID + "'");
    assertThat(logged(result)).doesNotContain(PHI);
    assertThat(iis.vaccinations()).isEmpty();
  }

  @Test
  void a_wrong_password_is_a_permanent_security_fault_and_records_nothing() {
    IisSoapConnector wrongPassword =
        IisSoapConnector.create(
            IisConnectors.config(
                iis.soapUrl(),
                IisConnectors.TIMEOUTS,
                AuthConfig.none(),
                new IisConfig(
                    SETTINGS.username(),
                    "not-the-password",
                    SETTINGS.facilityId(),
                    null,
                    SETTINGS.sendingFacility(),
                    null,
                    null,
                    null,
                    null),
                IisConnectors.subscriptions()),
            IisConnectors.CLOCK);

    PushResult result = push(wrongPassword, request(completedEvent(), null));

    assertThat(result).isInstanceOf(PushResult.Permanent.class);
    PushResult.Permanent refused = (PushResult.Permanent) result;
    assertThat(refused.httpStatus()).isEqualTo(400);
    assertThat(refused.errorClass()).isEqualTo("SecurityFault");
    assertThat(refused.reason())
        .contains("Invalid username or password")
        .doesNotContain("not-the-password");
    assertThat(iis.vaccinations()).isEmpty();
  }

  @Test
  void connectivity_test_reports_the_registry_healthy() throws Exception {
    Health health = connector.checkHealth().get(15, TimeUnit.SECONDS);

    assertThat(health).isEqualTo(new Health(true, "connectivityTest echoed 'hms-sync'"));
  }

  @Test
  void while_the_registry_is_down_a_push_is_retryable_and_the_retry_after_it_is_back_is_taken() {
    iis.goDown(Duration.ofHours(1));

    PushResult down = push(connector, request(completedEvent(), null, 1));

    assertThat(down).isInstanceOf(PushResult.Retryable.class);
    assertThat(((PushResult.Retryable) down).httpStatus()).isEqualTo(503);
    assertThat(iis.vaccinations()).isEmpty();
    assertThat(connector.checkHealth().join().healthy()).isFalse();

    iis.comeBack();
    PushResult retried = push(connector, request(completedEvent(), null, 2));

    assertThat(retried).isInstanceOf(PushResult.Success.class);
    assertThat(iis.vaccinations()).extracting(Vaccination::messages).containsExactly(1);
  }

  /** Reports the sample dose; returns the vaccination id the connector stores. */
  private String added() {
    PushResult added = push(connector, request(completedEvent(), null));
    assertThat(added).isInstanceOf(PushResult.Success.class);
    return ((PushResult.Success) added).externalId();
  }
}
