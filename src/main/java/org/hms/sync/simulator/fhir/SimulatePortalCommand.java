package org.hms.sync.simulator.fhir;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Runs the FHIR portal stand-in in the foreground until Ctrl-C. */
@Command(
    name = "simulate-portal",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a stand-in citizen scheduling portal: a FHIR R4 server on 127.0.0.1 under /fhir,",
      "with in-memory Appointment and Slot resources (conditional create by identifier,",
      "read, vread, update with If-Match, search by identifier and _lastUpdated).",
      "Stops on Ctrl-C."
    })
public final class SimulatePortalCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = "--port",
      paramLabel = "P",
      defaultValue = "9091",
      description = "TCP port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  private int port;

  @Override
  public Integer call() {
    if (port < 0 || port > 65_535) {
      throw new ParameterException(
          spec.commandLine(),
          "--port must be between 0 and 65535 (0 picks a free port), got " + port);
    }
    FhirPortal portal = FhirPortal.start(port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  portal.close();
                  stopped.countDown();
                },
                "fhir-portal-shutdown"));
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "FHIR portal listening on "
            + portal.baseUrl()
            + " (FHIR R4: Appointment, Slot; no authentication); e.g. GET "
            + portal.baseUrl()
            + "/Appointment; Ctrl-C stops it");
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      portal.close();
    }
    return 0;
  }
}
