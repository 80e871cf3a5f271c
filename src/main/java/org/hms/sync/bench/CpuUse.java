package org.hms.sync.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU time spent by each group of threads (named without their numbers) between a snapshot and
 * now, with the process's collections, JIT time, heap allocation, context switches and kernel
 * share, to show where a phase of the benchmark spends its time. Threads that ended before the
 * second reading are not seen; the per-thread figures count only the threads alive at its end.
 */
final class CpuUse {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private final Map<Long, Long> startNanos;
  private final Map<Long, Long> startAllocated;
  private final long processStartNanos;
  private final long gcStartMillis;
  private final long gcStartCount;
  private final long jitStartMillis;
  private final Map<String, Long> switchesStart;
  private final long[] ticksStart;

  private CpuUse(Map<Long, Long> startNanos, long processStartNanos) {
    this.startNanos = startNanos;
    this.startAllocated = allocatedBytes();
    this.processStartNanos = processStartNanos;
    this.gcStartMillis = gcMillis();
    this.gcStartCount = gcCount();
    this.jitStartMillis = jitMillis();
    this.switchesStart = contextSwitches();
    this.ticksStart = userAndSystemTicks();
  }

  /**
   * The process's user and system (kernel) CPU time in clock ticks (Linux: /proc/self/stat),
   * null elsewhere. Loopback HTTP spends much of its time in the kernel.
   */
  private static long[] userAndSystemTicks() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      // Fields after the command name (which may hold spaces) start at state, field 3.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
    } catch (IOException | RuntimeException unavailable) {
      return null;
    }
  }

  /**
   * Context switches of each of the process's live threads so far, by kernel thread id (Linux:
   * /proc/self/task/N/status), null elsewhere. Every hand-over of work to a sleeping thread costs
   * one.
   */
  private static Map<String, Long> contextSwitches() {
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return null;
    }
    Map<String, Long> byThread = new HashMap<>();
    try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
      for (Path thread : threads) {
        try {
          long switches = 0;
          for (String line : Files.readAllLines(thread.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")
                || line.startsWith("nonvoluntary_ctxt_switches:")) {
              switches += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
          byThread.put(thread.getFileName().toString(), switches);
        } catch (IOException | NumberFormatException ended) {
          // the thread ended while being read: its switches are not counted
        }
      }
    } catch (IOException unreadable) {
      return null;
    }
    return byThread;
  }

  private static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(gc -> Math.max(0, gc.getCollectionTime()))
        .sum();
  }

  private static long gcCount() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(gc -> Math.max(0, gc.getCollectionCount()))
        .sum();
  }

  private static long jitMillis() {
    var jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported()
        ? jit.getTotalCompilationTime()
        : 0;
  }

  /** A reading of every live thread's CPU time; empty where the JVM cannot measure it. */
  static CpuUse now() {
    return new CpuUse(
        THREADS.isThreadCpuTimeSupported() ? readAll().cpu() : Map.of(), processCpuNanos());
  }

  /** The whole process, the JVM's own threads (garbage collector, JIT) included; -1 if unknown. */
  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : -1;
  }

  /** Microseconds of CPU per unit of work since {@link #now()}, by thread group, largest first. */
  private Map<String, Double> perUnitSince(long units) {
    Reading end = readAll();
    Map<String, Long> byGroup = new HashMap<>();
    end.cpu().forEach(
        (id, nanos) ->
            byGroup.merge(end.names().get(id), nanos - startNanos.getOrDefault(id, 0L), Long::sum));
    return byGroup.entrySet().stream()
        .filter(entry -> entry.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .collect(
            Collectors.toMap(
                Map.Entry::getKey,
                entry -> entry.getValue() / 1e3 / units,
                (a, b) -> a,
                LinkedHashMap::new));
  }

  /** One line: the total and the largest groups, in microseconds of CPU per unit. */
  String describe(long units, int groups) {
    Map<String, Double> use = perUnitSince(units);
    double total = use.values().stream().mapToDouble(Double::doubleValue).sum();
    String parts =
        use.entrySet().stream()
            .limit(groups)
            .map(entry -> String.format("%s %.0f", entry.getKey(), entry.getValue()))
            .collect(Collectors.joining(", "));
    long process = processCpuNanos();
    String whole =
        process < 0 || processStartNanos < 0
            ? ""
            : String.format(
                    ", process %.0f; %d collections taking %d ms, JIT %d ms",
                    (process - processStartNanos) / 1e3 / units,
                    gcCount() - gcStartCount,
                    gcMillis() - gcStartMillis,
                    jitMillis() - jitStartMillis)
                + allocatedPerUnit(units)
                + switchesPerUnit(units)
                + kernelShare();
    return String.format("%.0f us CPU per unit in threads (%s)%s", total, parts, whole);
  }

  /**
   * "; N context switches per unit" since {@link #now()}, or nothing where they cannot be read.
   * Counted thread by thread: a thread alive at the end adds what it did since the start (all of
   * it if it started since, or if its id was reused); a thread that ended in between is not seen,
   * so the figure can fall short but never goes below zero.
   */
  private String switchesPerUnit(long units) {
    Map<String, Long> end = contextSwitches();
    if (end == null || switchesStart == null) {
      return "";
    }
    long switches = 0;
    for (Map.Entry<String, Long> thread : end.entrySet()) {
      long before = switchesStart.getOrDefault(thread.getKey(), 0L);
      switches += thread.getValue() >= before ? thread.getValue() - before : thread.getValue();
    }
    return String.format("; %.1f context switches per unit", switches / (double) units);
  }

  /**
   * Heap bytes allocated by each live thread so far, by thread id; empty where the JVM cannot
   * tell. Allocation drives the garbage collector and evicts other threads' data from the caches.
   */
  private static Map<Long, Long> allocatedBytes() {
    if (!(THREADS instanceof com.sun.management.ThreadMXBean threads)
        || !threads.isThreadAllocatedMemorySupported()
        || !threads.isThreadAllocatedMemoryEnabled()) {
      return Map.of();
    }
    long[] ids = threads.getAllThreadIds();
    long[] bytes = threads.getThreadAllocatedBytes(ids);
    Map<Long, Long> byThread = new HashMap<>();
    for (int i = 0; i < ids.length; i++) {
      if (bytes[i] >= 0) {
        byThread.put(ids[i], bytes[i]);
      }
    }
    return byThread;
  }

  /**
   * ", N KB allocated per unit" since {@link #now()}, or nothing where it cannot be read. Like the
   * CPU figures, threads that ended in between are not seen.
   */
  private String allocatedPerUnit(long units) {
    Map<Long, Long> end = allocatedBytes();
    if (end.isEmpty() || startAllocated.isEmpty()) {
      return "";
    }
    long bytes = 0;
    for (Map.Entry<Long, Long> thread : end.entrySet()) {
      bytes += Math.max(0, thread.getValue() - startAllocated.getOrDefault(thread.getKey(), 0L));
    }
    return String.format(", %.1f KB allocated per unit", bytes / 1024.0 / units);
  }

  /** "; N% in the kernel" since {@link #now()}, or nothing where it cannot be read. */
  private String kernelShare() {
    long[] ticks = userAndSystemTicks();
    if (ticks == null || ticksStart == null) {
      return "";
    }
    long user = ticks[0] - ticksStart[0];
    long system = ticks[1] - ticksStart[1];
    return user + system <= 0
        ? ""
        : String.format("; %.0f%% in the kernel", 100.0 * system / (user + system));
  }

  private record Reading(Map<Long, Long> cpu, Map<Long, String> names) {}

  private static Reading readAll() {
    Map<Long, Long> cpu = new HashMap<>();
    Map<Long, String> names = new HashMap<>();
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long nanos = THREADS.getThreadCpuTime(info.getThreadId());
      if (nanos >= 0) {
        cpu.put(info.getThreadId(), nanos);
        names.put(info.getThreadId(), info.getThreadName().replaceAll("[0-9]+", "N"));
      }
    }
    return new Reading(cpu, names);
  }
}
