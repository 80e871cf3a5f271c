package org.hms.sync.cli;

import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.hms.sync.config.SyncConfig;
import org.hms.sync.json.Json;
import org.hms.sync.reconcile.Difference;
import org.hms.sync.reconcile.ReconcileException;
import org.hms.sync.reconcile.Reconciliation;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "reconcile",
    mixinStandardHelpOptions = true,
    description = {
      "Compare the EMR's appointments in a time range with what a connector's system lists, and"
          + " print the drift. With --repair, queue the repairs: corrective deliveries for the"
          + " EMR's truth, inbound changes for the external side's (the conflict policy applies);"
          + " a running `hms-sync serve` applies them.",
      "Exit code: 0 no drift, 3 drift found, 1 the run failed."
    })
public final class ReconcileCommand implements Callable<Integer> {
  static final int DRIFT = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ConfigFile config;

  private final Service.Opener opener;

  public ReconcileCommand(Service.Opener opener) {
    this.opener = opener;
  }

  @Option(names = "--connector", required = true, description = "connector id")
  String connector;

  @Option(
      names = "--from",
      required = true,
      description = "start of the range: a date (2027-03-01, from its start, UTC) or an instant")
  String from;

  @Option(
      names = "--to",
      required = true,
      description = "end of the range: a date (2027-03-31, through its end, UTC) or an instant"
          + " (exclusive)")
  String to;

  @Option(names = "--repair", description = "queue repairs for what is found")
  boolean repair;

  @Option(names = "--json", description = "print the report as JSON instead of a table")
  boolean json;

  @Override
  public Integer call() {
    Instant start = parse("--from", from, false);
    Instant end = parse("--to", to, true);
    SyncConfig loaded = config.load();
    try (Service app = opener.open(loaded)) {
      Reconciliation run;
      try {
        run = app.reconciler().run(connector, start, end, repair, "cli");
      } catch (ReconcileException wrong) {
        throw new CommandLine.ParameterException(spec.commandLine(), wrong.getMessage());
      }
      if (json) {
        System.out.println(Json.pretty(run));
      } else {
        print(run, System.out);
      }
      if (run.status().equals(Reconciliation.FAILED)) {
        return 1;
      }
      return run.summary().drift() > 0 ? DRIFT : 0;
    }
  }

  private Instant parse(String option, String text, boolean endOfDay) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException notInstant) {
      try {
        LocalDate day = LocalDate.parse(text);
        return (endOfDay ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException notDate) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            option + " '" + text + "' is neither a date (2027-03-01) nor an instant"
                + " (2027-03-01T09:00:00Z)");
      }
    }
  }

  /** The report as a readable table. */
  static void print(Reconciliation run, PrintStream out) {
    out.printf("reconciliation %s of %s, %s .. %s%s%n", run.id(), run.connectorId(), run.from(),
        run.to(), run.repair() ? " (repair)" : "");
    if (run.status().equals(Reconciliation.FAILED)) {
      out.println("FAILED: " + run.error());
      return;
    }
    Reconciliation.Summary summary = run.summary();
    out.printf(
        "EMR %d, external %d: %d in sync, %d drift (%d missing at external, %d missing in EMR, %d"
            + " mismatched), %d in flight, %d unreadable%s%n",
        summary.emr(), summary.external(), summary.inSync(), summary.drift(),
        summary.missingAtExternal(), summary.missingInEmr(), summary.mismatched(),
        summary.inFlight(), summary.unreadable(),
        run.repair() ? ", " + summary.repairs() + " repair(s) queued" : "");
    if (!run.differences().isEmpty()) {
      out.printf("%-19s %-36s %-14s %-8s %-32s %s%n", "KIND", "APPOINTMENT", "EXTERNAL ID",
          "TRUTH", "DIFFERENCE (EMR -> EXTERNAL)", run.repair() ? "REPAIR" : "");
      for (Difference difference : run.differences()) {
        out.printf(
            "%-19s %-36s %-14s %-8s %-32s %s%n",
            label(difference.kind()),
            orDash(difference.appointmentId()),
            orDash(difference.externalId()),
            difference.truth(),
            difference.fields().isEmpty()
                ? "-"
                : difference.fields().stream()
                    .map(field -> field.name() + " " + orDash(field.emr()) + " -> "
                        + orDash(field.external()))
                    .collect(Collectors.joining("; ")),
            difference.repair() == null ? "" : repair(difference.repair()));
      }
    }
    run.inFlight().forEach(id -> out.println("in flight (not judged): " + id));
    run.unreadable().forEach(line -> out.println("unreadable: " + line));
    run.notes().forEach(note -> out.println("note: " + note));
    if (run.repair() && summary.repairs() > 0) {
      out.println(
          summary.repairs() + " repair(s) are queued in the database; a running `hms-sync serve`"
              + " applies them (start it if none runs), then reconcile again to see zero drift.");
    }
  }

  private static String repair(Difference.Repair repair) {
    return switch (repair.action()) {
      case Difference.Repair.DELIVERY -> "delivery " + repair.eventType() + " " + repair.id();
      case Difference.Repair.INBOUND -> "inbound " + repair.id() + " (" + repair.note() + ")";
      default -> "none: " + repair.note();
    };
  }

  private static String label(String kind) {
    return switch (kind) {
      case Difference.MISSING_AT_EXTERNAL -> "missing at external";
      case Difference.MISSING_IN_EMR -> "missing in EMR";
      default -> "mismatch";
    };
  }

  private static String orDash(String text) {
    return text == null ? "-" : text;
  }
}
