package org.hms.sync.reconcile;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One reconciliation run and its report.
 *
 * @param status running, completed or failed
 * @param trigger what started it: cli, api or schedule
 * @param summary counts; {@code null} while running or when failed
 * @param differences every drift found, in the order found
 * @param inFlight appointments not judged because a delivery of them to the connector was still
 *     on its way
 * @param unreadable listed items that could not be read (position and why; never content)
 * @param notes anything else the reader should know (e.g. inbound items still waiting)
 * @param error why a failed run failed
 */
public record Reconciliation(
    String id,
    @JsonProperty("connector") String connectorId,
    Instant from,
    Instant to,
    boolean repair,
    String trigger,
    String status,
    Instant startedAt,
    Instant finishedAt,
    Summary summary,
    List<Difference> differences,
    List<String> inFlight,
    List<String> unreadable,
    List<String> notes,
    String error) {
  public static final String RUNNING = "running";
  public static final String COMPLETED = "completed";
  public static final String FAILED = "failed";

  public Reconciliation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(connectorId, "connectorId");
    differences = differences == null ? List.of() : List.copyOf(differences);
    inFlight = inFlight == null ? List.of() : List.copyOf(inFlight);
    unreadable = unreadable == null ? List.of() : List.copyOf(unreadable);
    notes = notes == null ? List.of() : List.copyOf(notes);
  }

  /**
   * @param emr EMR appointments starting in the range
   * @param external appointments the external system listed in the range
   * @param inSync pairs that agree
   * @param drift missingAtExternal + missingInEmr + mismatched
   * @param repairs corrective deliveries and inbound changes queued
   */
  public record Summary(
      int emr,
      int external,
      int inSync,
      int missingAtExternal,
      int missingInEmr,
      int mismatched,
      int inFlight,
      int unreadable,
      int drift,
      int repairs) {}
}
