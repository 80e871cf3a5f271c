package org.hms.sync.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.hms.sync.http.ApiClient.Reply;
import org.hms.sync.simulator.IisSimulator;
import org.hms.sync.simulator.SimulatorOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests racing for the same place or the same version: no overbooking, no lost update. */
class ConcurrentBookingTest {
  private static final int RACERS = 12;

  @TempDir Path dir;

  private IisSimulator iis;
  private RunningSync sync;
  private ExecutorService pool;

  @BeforeEach
  void start() {
    iis = IisSimulator.start(SimulatorOptions.defaults());
    sync = RunningSync.start(dir, iis.baseUrl());
    pool = Executors.newFixedThreadPool(RACERS);
  }

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    sync.close();
    iis.close();
  }

  @Test
  void concurrent_bookings_never_overbook_a_slot() throws Exception {
    String slot = sync.slot(sync.location(), 4);
    List<String> patients = new ArrayList<>();
    for (int index = 0; index < RACERS; index++) {
      patients.add(sync.patient());
    }

    List<Reply> replies =
        race(
            patients.stream()
                .<Supplier<Reply>>map(
                    patient ->
                        () ->
                            sync.api.post(
                                "/api/appointments",
                                ApiClient.json("patientId", patient, "slotId", slot)))
                .toList());

    assertThat(replies).extracting(Reply::status).containsOnly(201, 409);
    assertThat(replies).filteredOn(reply -> reply.status() == 201).hasSize(4);
    assertThat(sync.slotView(slot).path("booked").asInt()).isEqualTo(4);
    RunningSync.Counts counts = sync.counts();
    assertThat(counts.appointments()).isEqualTo(4);
    assertThat(counts.outboxEvents()).isEqualTo(4);
    assertThat(counts.deliveries()).isEqualTo(4);
  }

  @Test
  void concurrent_reschedules_under_one_if_match_let_exactly_one_through() throws Exception {
    String location = sync.location();
    String appointment = sync.book(sync.patient(), sync.slot(location, 1));
    List<String> targets = new ArrayList<>();
    for (int index = 0; index < RACERS; index++) {
      targets.add(sync.slot(location, 1));
    }

    List<Reply> replies =
        race(
            targets.stream()
                .<Supplier<Reply>>map(
                    target ->
                        () ->
                            sync.api.post(
                                "/api/appointments/" + appointment + "/reschedule",
                                ApiClient.json("slotId", target),
                                "If-Match", "\"1\""))
                .toList());

    assertThat(replies).extracting(Reply::status).containsOnly(200, 412);
    assertThat(replies).filteredOn(reply -> reply.status() == 200).hasSize(1);
    String winner =
        replies.stream()
            .filter(reply -> reply.status() == 200)
            .findFirst()
            .orElseThrow()
            .field("slotId");
    assertThat(sync.appointment(appointment).path("version").asLong()).isEqualTo(2);
    assertThat(sync.appointment(appointment).path("slotId").asText()).isEqualTo(winner);
    for (String target : targets) {
      assertThat(sync.slotView(target).path("booked").asInt())
          .as("slot %s", target)
          .isEqualTo(target.equals(winner) ? 1 : 0);
    }
    assertThat(sync.counts().outboxEvents()).isEqualTo(2);
  }

  /** Runs the calls at once (released together) and returns their answers in call order. */
  private List<Reply> race(List<Supplier<Reply>> calls) throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    List<Future<Reply>> futures = new ArrayList<>();
    for (Supplier<Reply> call : calls) {
      futures.add(
          pool.submit(
              () -> {
                gate.await();
                return call.get();
              }));
    }
    gate.countDown();
    List<Reply> replies = new ArrayList<>();
    for (Future<Reply> future : futures) {
      replies.add(future.get(30, TimeUnit.SECONDS));
    }
    return replies;
  }
}
