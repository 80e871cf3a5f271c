package org.hms.sync.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Measure end-to-end throughput and commit-to-acknowledgement latency against the stand-in"
            + " IIS, beside a raw HTTP baseline (see docs/benchmarks.md). Not a test.")
public final class BenchCommand implements Callable<Integer> {
  @Option(names = "--events", defaultValue = "20000", description = "events in the throughput run (default: ${DEFAULT-VALUE})")
  int events;

  @Option(names = "--rate", defaultValue = "200", description = "events per second in the latency run (default: ${DEFAULT-VALUE})")
  int rate;

  @Option(names = "--rate-events", defaultValue = "4000", description = "events in the latency run (default: ${DEFAULT-VALUE})")
  int rateEvents;

  @Option(names = "--concurrency", defaultValue = "64", description = "requests in flight, engine and baseline alike (default: ${DEFAULT-VALUE})")
  int concurrency;

  @Option(names = "--producers", defaultValue = "2", description = "threads committing bookings (default: ${DEFAULT-VALUE})")
  int producers;

  @Option(
      names = "--warm-up",
      defaultValue = "" + Benchmark.Options.DEFAULT_WARM_UP,
      description = "raw requests sent to warm the JIT before measuring (default: ${DEFAULT-VALUE})")
  int warmUp;

  @Option(
      names = "--engine-warm-up",
      defaultValue = "" + Benchmark.Options.DEFAULT_ENGINE_WARM_UP,
      description = "events the engine drains to warm the JIT before its drain is measured (default: ${DEFAULT-VALUE})")
  int engineWarmUp;

  @Option(
      names = "--rounds",
      defaultValue = "" + Benchmark.Options.DEFAULT_ROUNDS,
      description =
          "measured rounds of raw baseline then engine drain; the best of each side counts"
              + " (default: ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--db-url", description = "JDBC URL to benchmark instead of a fresh H2 file (e.g. jdbc:postgresql://127.0.0.1:5432/test?user=postgres)")
  String dbUrl;

  @Override
  public Integer call() throws Exception {
    if (events < 1 || rate < 1 || rateEvents < 1 || concurrency < 1 || producers < 1 || warmUp < 1
        || engineWarmUp < 1 || rounds < 1) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this),
          "--events, --rate, --rate-events, --concurrency, --producers, --warm-up, --engine-warm-up"
              + " and --rounds must be >= 1");
    }
    new Benchmark(
            new Benchmark.Options(events, rate, rateEvents, concurrency, producers, dbUrl, warmUp,
                engineWarmUp, rounds),
            System.out)
        .run();
    return 0;
  }
}
