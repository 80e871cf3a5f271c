package org.hms.sync.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.hms.sync.app.SyncApp;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.delivery.DeliveryObserver;
import org.hms.sync.simulator.IisSimulator;
import org.hms.sync.simulator.SimulatorOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reconcile.interval}: the running service reconciles on its own, once per interval. */
class ScheduledReconcileTest {
  static final Path DEMO = Path.of("examples/demo").toAbsolutePath();

  @TempDir Path dir;

  IisSimulator iis;
  SyncApp app;

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
    if (iis != null) {
      iis.close();
    }
  }

  @Test
  void a_connector_with_an_interval_is_reconciled_at_start_and_not_again_before_the_interval()
      throws IOException {
    iis = IisSimulator.start(SimulatorOptions.defaults());
    String yaml =
        """
        database:
          url: "jdbc:h2:mem:scheduled-%s;DB_CLOSE_DELAY=-1"
        connectors:
          - id: state-iis
            type: rest
            baseUrl: %s
            routes:
              list:
                path: /appointments?from={from}&to={to}
                items: /items
                mapping: %s/iis-list.jsonata
            reconcile:
              interval: 1h
              lookBack: 2d
              lookAhead: 10d
        """
            .formatted(UUID.randomUUID(), iis.baseUrl(), DEMO);
    app =
        SyncApp.create(
            ConfigLoader.load(Files.writeString(dir.resolve("hms-sync.yaml"), yaml), Map.of()),
            Clock.systemUTC(), DeliveryObserver.NONE);

    app.startEngine();

    // The run is listed as soon as it starts (status running): wait until it has ended.
    await().atMost(Duration.ofSeconds(20))
        .until(
            () ->
                app.reconciler().list("state-iis", 10).stream()
                    .anyMatch(listed -> !listed.status().equals(Reconciliation.RUNNING)));
    Reconciliation run = app.reconciler().list("state-iis", 10).get(0);
    assertThat(run.trigger()).isEqualTo("schedule");
    assertThat(run.status()).isEqualTo(Reconciliation.COMPLETED);
    assertThat(run.repair()).isTrue();
    assertThat(Duration.between(run.from(), run.to())).isEqualTo(Duration.ofDays(12));
    assertThat(app.reconcileScheduler().runOnce()).isZero();
    assertThat(app.reconciler().list("state-iis", 10)).hasSize(1);
  }
}
