package org.hms.sync.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.hms.sync.app.SyncApp;
import org.hms.sync.config.ConfigLoader;
import org.hms.sync.config.SyncConfig;
import org.hms.sync.delivery.AttemptEvent;
import org.hms.sync.scheduling.Location;
import org.hms.sync.scheduling.Patient;
import org.hms.sync.scheduling.SchedulingService;
import org.hms.sync.scheduling.Slot;
import org.hms.sync.simulator.IisSimulator;
import org.hms.sync.simulator.SimulatorOptions;

/**
 * End-to-end benchmark: EMR bookings committed through the scheduling service, delivered by the
 * engine to the stand-in IIS, against a raw baseline of the same HTTP client posting the same
 * payloads straight to the same IIS with the same concurrency. See docs/benchmarks.md.
 */
public final class Benchmark {
  private static final String IIS_TOKEN = "bench-iis-token";

  /**
   * What to run.
   *
   * @param warmUp raw requests sent before anything is measured (three fifths, then two fifths)
   * @param engineWarmUp events the engine drains before its drain is measured
   * @param rounds measured rounds, each a raw baseline phase then an engine drain; the best of
   *     each side counts
   */
  public record Options(
      int events, int rate, int rateEvents, int concurrency, int producers, String dbUrl,
      int warmUp, int engineWarmUp, int rounds) {
    public static final int DEFAULT_WARM_UP = 50_000;
    public static final int DEFAULT_ENGINE_WARM_UP = 40_000;
    public static final int DEFAULT_ROUNDS = 4;
  }

  /** Figures of one run. */
  public record Result(double eventsPerSecond, double p50Millis, double p99Millis, long events) {}

  private final Options options;
  private final PrintStream out;

  public Benchmark(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  public void run() throws Exception {
    Path folder = Files.createTempDirectory("hms-bench");
    try (IisSimulator iis = IisSimulator.start(SimulatorOptions.defaults().withRequiredToken(IIS_TOKEN))) {
      out.printf("HMS-EMR Sync benchmark: %d events, concurrency %d, %d producer thread(s), %s, %d cores%n",
          options.events(), options.concurrency(), options.producers(),
          options.dbUrl() == null ? "H2 file " + folder : options.dbUrl(),
          Runtime.getRuntime().availableProcessors());

      // The JIT needs tens of thousands of requests before the HTTP client and Jetty are warm;
      // both sides get the same warm-up before anything is measured.
      out.println("warming up (raw client and engine) ...");
      double cold = raw(iis, options.warmUp() * 3 / 5).whole();
      iis.reset();
      double warm = raw(iis, Math.max(1, options.warmUp() * 2 / 5)).whole();
      iis.reset();
      out.printf("raw warm-up: %.0f then %.0f requests/s%n", cold, warm);
      try (Run run = new Run(iis, folder)) {
        Drain warmDrain = run.drain(options.engineWarmUp());
        out.printf("engine warm-up: %.0f events/s%n", warmDrain.steady());
        iis.reset();
        // Rounds of raw baseline then engine drain; each side's best round counts, so neither is
        // judged on a round where the JIT was still reacting to the other's work.
        List<Round> rounds = new ArrayList<>();
        for (int i = 0; i < options.rounds(); i++) {
          rounds.add(round(iis, run));
        }
        double rawRate = rounds.stream().mapToDouble(r -> r.raw().steady()).max().orElseThrow();
        double drainRate = rounds.stream().mapToDouble(r -> r.drain().steady()).max().orElseThrow();
        out.printf("raw baseline   %8.0f requests/s  (JDK HttpClient -> stand-in IIS, %d in flight;"
                + " best of %d rounds: %s)%n",
            rawRate, options.concurrency(), rounds.size(), perRound(rounds, r -> r.raw().steady()));
        out.printf("engine drain   %8.0f events/s    (%d committed events delivered from the outbox;"
                + " best of %d rounds: %s)%n",
            drainRate, options.events(), rounds.size(), perRound(rounds, r -> r.drain().steady()));
        out.printf("drain ratio    %8.2f            (best drain / best raw, both after the first"
                + " quarter of each phase; within each round: %s)%n",
            drainRate / rawRate,
            rounds.stream()
                .map(r -> String.format("%.2f", r.drain().steady() / r.raw().steady()))
                .collect(Collectors.joining(", ")));
        for (int i = 0; i < rounds.size(); i++) {
          Round round = rounds.get(i);
          out.printf("  round %d raw: whole phase %,.0f/s; %s%n", i + 1, round.raw().whole(),
              round.raw().cpu());
          out.printf("  round %d drain: whole phase %,.0f/s; %s%n", i + 1, round.drain().whole(),
              round.drain().cpu());
        }
        Result throughput = run.throughput(options.events());
        out.printf("engine live    %8.0f events/s    (bookings committed while delivering; commit->ack p50 %.1f ms, p99 %.1f ms, includes queueing)%n",
            throughput.eventsPerSecond(), throughput.p50Millis(), throughput.p99Millis());
        out.printf("live ratio     %8.2f            (engine live / raw)%n", throughput.eventsPerSecond() / rawRate);
        iis.reset();
        Result paced = run.paced(options.rate(), options.rateEvents());
        out.printf("paced at %d events/s: commit->ack p50 %.1f ms, p99 %.1f ms over %d events%n",
            options.rate(), paced.p50Millis(), paced.p99Millis(), paced.events());
        if (options.dbUrl() == null) {
          out.printf("H2 file after the run: %d MB%n", sizeOf(folder) / (1024 * 1024));
        }
      }
    } finally {
      deleteQuietly(folder);
    }
  }

  private static long sizeOf(Path folder) throws IOException {
    try (var files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
    }
  }

  private static void deleteQuietly(Path folder) {
    try (var files = Files.walk(folder)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // a temp folder left behind is harmless
    }
  }

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** The raw baseline: requests per second over the whole phase and in steady state; CPU use. */
  private record Rate(double whole, double steady, String cpu) {}

  /** A raw baseline phase followed by an engine drain of the same number of events. */
  private record Round(Rate raw, Drain drain) {}

  /** "6,573 / 12,826": one figure per round, in order. */
  private static String perRound(List<Round> rounds, ToDoubleFunction<Round> figure) {
    return rounds.stream()
        .map(round -> String.format("%,.0f", figure.applyAsDouble(round)))
        .collect(Collectors.joining(" / "));
  }

  private Round round(IisSimulator iis, Run run) throws Exception {
    Rate raw = raw(iis, options.events());
    iis.reset();
    Drain drain = run.drain(options.events());
    iis.reset();
    return new Round(raw, drain);
  }

  /** A drain: events per second in steady state and over the whole phase, and where the CPU went. */
  private record Drain(double steady, double whole, String cpu) {}

  private Rate raw(IisSimulator iis, int requests) throws Exception {
    Semaphore slots = new Semaphore(options.concurrency());
    CountDownLatch done = new CountDownLatch(requests);
    AtomicInteger failures = new AtomicInteger();
    URI uri = URI.create(iis.baseUrl() + "/appointments");
    List<String> bodies = new ArrayList<>(requests);
    for (int i = 0; i < requests; i++) {
      bodies.add(samplePayload(i));
    }
    Progress progress = new Progress(requests);
    CpuUse cpu = CpuUse.now();
    for (int i = 0; i < requests; i++) {
      slots.acquire();
      HttpRequest request = HttpRequest.newBuilder(uri)
          .header("Content-Type", "application/json")
          .header("Authorization", "Bearer " + IIS_TOKEN)
          .header("Idempotency-Key", UUID.randomUUID().toString())
          .timeout(Duration.ofSeconds(10))
          .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i))).build();
      client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
        if (failure != null || response.statusCode() != 201) {
          failures.incrementAndGet();
        }
        progress.completed();
        slots.release();
        done.countDown();
      });
    }
    done.await();
    if (failures.get() > 0) {
      out.println("warning: " + failures.get() + " raw requests failed");
    }
    return new Rate(progress.wholeRate(), progress.steadyRate(), cpu.describe(requests, 4));
  }

  private static String samplePayload(int i) {
    return "{\"appointmentId\":\"" + UUID.randomUUID() + "\",\"patient\":{\"mrn\":\"BENCH-" + i
        + "\",\"givenName\":\"Test\",\"familyName\":\"Patient\",\"birthDate\":\"1980-01-01\"},"
        + "\"slotTime\":\"2027-03-01T09:00:00Z\",\"slotEnd\":\"2027-03-01T09:15:00Z\","
        + "\"clinicCode\":\"BENCH\",\"status\":\"booked\",\"sequence\":1,\"eventId\":\""
        + UUID.randomUUID() + "\"}";
  }

  /** The service on its own database, with bookings fed in and acknowledgements timed. */
  private final class Run implements AutoCloseable {
    private final SyncApp app;
    private final Map<String, Long> committed = new ConcurrentHashMap<>();
    private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    private final AtomicLong acks = new AtomicLong();
    private final List<Patient> patients = new ArrayList<>();
    private final List<Slot> slots = new ArrayList<>();
    /** Set while a drain is timed. */
    private volatile Progress drainProgress;

    Run(IisSimulator iis, Path folder) throws IOException {
      for (String name : org.hms.sync.demo.Demo.FILES) {
        try (InputStream resource = Benchmark.class.getResourceAsStream("/examples/demo/" + name)) {
          Files.copy(resource, folder.resolve(name));
        }
      }
      Map<String, String> env = new HashMap<>(System.getenv());
      env.put("HMS_DEMO_IIS_URL", iis.baseUrl().toString());
      env.put("HMS_DEMO_IIS_TOKEN", IIS_TOKEN);
      env.put("HMS_DEMO_DB_URL", options.dbUrl() != null ? options.dbUrl()
          : "jdbc:h2:file:" + folder.resolve("db/hms-sync").toAbsolutePath());
      env.put("HMS_DEMO_PORT", "0");
      env.put("HMS_ADMIN_TOKEN", UUID.randomUUID().toString());
      String yaml = Files.readString(folder.resolve("hms-sync.yaml"))
          .replace("  pollInterval: 500ms", "  pollInterval: 500ms\n  maxInFlight: " + options.concurrency());
      Files.writeString(folder.resolve("hms-sync.yaml"), yaml);
      SyncConfig demo = ConfigLoader.load(folder.resolve("hms-sync.yaml"), env);
      // The demo's REST connector only: the benchmark measures the engine against one system.
      SyncConfig config =
          new SyncConfig(
              demo.file(),
              demo.server(),
              demo.database(),
              demo.engine(),
              demo.connectors().stream()
                  .filter(connector -> connector.id().equals(org.hms.sync.demo.Demo.CONNECTOR))
                  .toList());
      app = SyncApp.create(config, Clock.systemUTC(), this::onAttempt).startMaintenance();
      SchedulingService emr = app.scheduling();
      Location clinic = emr.createLocation("BENCH-" + UUID.randomUUID().toString().substring(0, 8), "Bench clinic");
      Instant start = Instant.parse("2027-03-01T08:00:00Z");
      for (int i = 0; i < 200; i++) {
        slots.add(emr.createSlot(clinic.id(), start.plusSeconds(900L * i), start.plusSeconds(900L * i + 900), 10_000));
      }
      for (int i = 0; i < 500; i++) {
        patients.add(emr.createPatient("BENCH-" + UUID.randomUUID(), "Test", "Patient", LocalDate.of(1980, 1, 1)));
      }
    }

    private void onAttempt(AttemptEvent event) {
      if (event.outcome().equals("succeeded")) {
        acknowledged.put(event.appointmentId(), toNanos(event.respondedAt()));
        acks.incrementAndGet();
        Progress progress = drainProgress;
        if (progress != null) {
          progress.completed();
        }
      }
    }

    /** Commits the events with the engine stopped, then times how fast the engine drains them. */
    Drain drain(int events) throws InterruptedException {
      app.engine().stop(Duration.ofSeconds(30));
      reset();
      AtomicInteger next = new AtomicInteger();
      List<Thread> producers = new ArrayList<>();
      for (int p = 0; p < options.producers(); p++) {
        Thread producer = new Thread(() -> {
          for (int i = next.getAndIncrement(); i < events; i = next.getAndIncrement()) {
            app.scheduling().book(patients.get(i % patients.size()).id(), slots.get(i % slots.size()).id(), null);
          }
        });
        producer.start();
        producers.add(producer);
      }
      for (Thread producer : producers) {
        producer.join();
      }
      CpuUse cpu = CpuUse.now();
      Progress progress = new Progress(events);
      drainProgress = progress;
      app.engine().start();
      app.engine().wakeUp();
      awaitAcks(events);
      drainProgress = null;
      return new Drain(progress.steadyRate(), progress.wholeRate(), cpu.describe(events, 6));
    }

    Result throughput(int events) throws InterruptedException {
      reset();
      long start = System.nanoTime();
      List<Thread> producers = new ArrayList<>();
      AtomicInteger next = new AtomicInteger();
      for (int p = 0; p < options.producers(); p++) {
        Thread producer = new Thread(() -> {
          for (int i = next.getAndIncrement(); i < events; i = next.getAndIncrement()) {
            book(i);
          }
        });
        producer.start();
        producers.add(producer);
      }
      for (Thread producer : producers) {
        producer.join();
      }
      awaitAcks(events);
      double seconds = (System.nanoTime() - start) / 1e9;
      return result(events / seconds);
    }

    Result paced(int rate, int events) throws InterruptedException {
      reset();
      long interval = TimeUnit.SECONDS.toNanos(1) / rate;
      long start = System.nanoTime();
      for (int i = 0; i < events; i++) {
        long due = start + i * interval;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        book(i);
      }
      awaitAcks(events);
      return result(rate);
    }

    private void book(int i) {
      String id = app.scheduling().book(patients.get(i % patients.size()).id(), slots.get(i % slots.size()).id(), null).id();
      committed.put(id, toNanos(Instant.now()));
    }

    private void reset() {
      committed.clear();
      acknowledged.clear();
      acks.set(0);
    }

    private void awaitAcks(int events) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (acks.get() < events && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      if (acks.get() < events) {
        throw new IllegalStateException("only " + acks.get() + " of " + events + " acknowledged in 5 minutes");
      }
    }

    private Result result(double rate) {
      double[] millis = committed.entrySet().stream()
          .filter(entry -> acknowledged.containsKey(entry.getKey()))
          .mapToDouble(entry -> Math.max(0, acknowledged.get(entry.getKey()) - entry.getValue()) / 1e6)
          .sorted().toArray();
      return new Result(rate, percentile(millis, 0.50), percentile(millis, 0.99), millis.length);
    }

    @Override
    public void close() {
      app.close();
    }
  }

  private static long toNanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }

  static double percentile(double[] sorted, double fraction) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(fraction * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

}
