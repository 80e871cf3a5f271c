package org.hms.sync.connector.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.hms.sync.connector.rest.Connectors.CLOCK;
import static org.hms.sync.connector.rest.Connectors.NOW;
import static org.hms.sync.connector.rest.Connectors.config;
import static org.hms.sync.connector.rest.Connectors.push;
import static org.hms.sync.connector.rest.Connectors.request;
import static org.hms.sync.connector.rest.Connectors.route;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.hms.sync.config.AuthConfig;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.delivery.PushRequest;
import org.hms.sync.delivery.PushResult;
import org.hms.sync.mapping.SampleEvents;
import org.hms.sync.outbox.EventTypes;
import org.hms.sync.simulator.IisSimulator;
import org.hms.sync.simulator.LedgerEntry;
import org.hms.sync.simulator.SimAppointment;
import org.hms.sync.simulator.SimulatorOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A RestConnector against the project's stand-in IIS, the way the demo wires them. */
class RestConnectorSimulatorTest {

  private static final Path MAPPING = SampleEvents.mappingFile("iis-appointment.jsonata");

  private final IisSimulator iis =
      IisSimulator.start(SimulatorOptions.defaults().withRequiredToken("s3cret-iis-token"));
  private final ConnectorConfig config =
      config(
          iis.baseUrl(),
          route(EventTypes.CREATED, "POST", "/appointments", MAPPING, "/id"),
          route(EventTypes.RESCHEDULED, "PUT", "/appointments/{externalId}", MAPPING, null),
          route(EventTypes.CANCELLED, "DELETE", "/appointments/{externalId}"));
  private final RestConnector connector = RestConnector.create(config, CLOCK);

  @AfterEach
  void stopSimulator() {
    iis.close();
  }

  @Test
  void create_reschedule_and_cancel_reach_the_iis_under_its_id() {
    PushResult created = push(connector, request(SampleEvents.event(EventTypes.CREATED, 1), null));
    assertThat(created).isInstanceOf(PushResult.Success.class);
    String externalId = ((PushResult.Success) created).externalId();
    assertThat(externalId).isNotBlank();

    PushResult rescheduled =
        push(connector, request(SampleEvents.event(EventTypes.RESCHEDULED, 2), externalId));
    PushResult cancelled =
        push(connector, request(SampleEvents.event(EventTypes.CANCELLED, 3), externalId));

    assertThat(rescheduled).isEqualTo(new PushResult.Success(200, null, null));
    assertThat(cancelled).isEqualTo(new PushResult.Success(200, null, null));
    SimAppointment stored = iis.appointment(externalId).orElseThrow();
    assertThat(stored.fields())
        .containsEntry("clinicCode", SampleEvents.CLINIC_CODE)
        .containsEntry("appointmentId", SampleEvents.APPOINTMENT_ID)
        .containsEntry("seq", 2);
    assertThat(stored.status()).isEqualTo("cancelled");
    assertThat(stored.updates()).isEqualTo(2);
    assertThat(iis.ledger())
        .extracting(LedgerEntry::method, LedgerEntry::path)
        .containsExactly(
            tuple("POST", "/api/appointments"),
            tuple("PUT", "/api/appointments/" + externalId),
            tuple("DELETE", "/api/appointments/" + externalId));
  }

  @Test
  void a_repeated_push_of_one_delivery_is_applied_once() {
    PushRequest create = request(SampleEvents.event(EventTypes.CREATED, 1), null);

    PushResult first = push(connector, create);
    PushResult second = push(connector, create);

    assertThat(second).isEqualTo(first);
    assertThat(iis.appointments()).hasSize(1);
    assertThat(iis.ledger())
        .extracting(LedgerEntry::idempotencyKey)
        .containsExactly(create.idempotencyKey(), create.idempotencyKey());
    assertThat(iis.ledger()).extracting(LedgerEntry::replayed).containsExactly(false, true);
  }

  @Test
  void wrong_token_is_permanent() {
    RestConnector wrongToken =
        RestConnector.create(
            config(
                iis.baseUrl(),
                new AuthConfig("bearer", "not-the-token", null, null),
                Map.of(),
                Connectors.TIMEOUTS,
                route(EventTypes.CREATED, "POST", "/appointments", MAPPING, "/id")),
            CLOCK);

    PushResult result = push(wrongToken, request(SampleEvents.event(EventTypes.CREATED, 1), null));

    assertThat(result).isInstanceOfSatisfying(
        PushResult.Permanent.class, permanent -> assertThat(permanent.httpStatus()).isEqualTo(401));
    assertThat(iis.appointments()).isEmpty();
  }

  @Test
  void outage_is_retryable_after_the_iis_retry_after() {
    iis.goDown(Duration.ofMinutes(1));

    PushResult result = push(connector, request(SampleEvents.event(EventTypes.CREATED, 1), null));

    assertThat(result).isInstanceOfSatisfying(
        PushResult.Retryable.class,
        retryable -> {
          assertThat(retryable.httpStatus()).isEqualTo(503);
          assertThat(retryable.notBefore()).isEqualTo(NOW.plusSeconds(1));
        });
    assertThat(iis.appointments()).isEmpty();
  }
}
