package org.hms.sync.simulator;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Runs the State IIS simulator in the foreground until Ctrl-C. */
@Command(
    name = "simulate-iis",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a stand-in State Immunization Information System (IIS): an appointment REST API",
      "on /api/appointments and the CDC IIS 2011 SOAP service (HL7 v2.5.1 VXU) on /iis-soap,",
      "with a request ledger, the vaccinations it holds and switchable faults under /sim.",
      "Stops on Ctrl-C."
    })
public final class SimulateIisCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = "--port",
      paramLabel = "P",
      defaultValue = "9090",
      description = "TCP port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  private int port;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      defaultValue = "127.0.0.1",
      description = "Address to bind (default: ${DEFAULT-VALUE}).")
  private String host;

  @Option(
      names = "--fail-rate",
      paramLabel = "R",
      defaultValue = "0",
      description = "Share of /api requests answered 503, from 0 to 1 (default: ${DEFAULT-VALUE}).")
  private double failRate;

  @Option(
      names = "--latency-ms",
      paramLabel = "L",
      defaultValue = "0",
      description = "Milliseconds every /api request waits before it is handled (default: ${DEFAULT-VALUE}).")
  private long latencyMs;

  @Option(
      names = "--down-for",
      paramLabel = "D",
      defaultValue = "0",
      converter = DurationConverter.class,
      description = "Answer 503 to every /api request for this long after start, e.g. 10s, 250ms, 2m (default: 0).")
  private Duration downFor;

  @Option(
      names = "--token",
      paramLabel = "T",
      defaultValue = "${env:HMS_SIM_TOKEN}",
      showDefaultValue = CommandLine.Help.Visibility.NEVER,
      description = "Bearer token /api requests must send; defaults to the HMS_SIM_TOKEN environment variable. Without one, no authentication.")
  private String token;

  @Option(
      names = "--soap-username",
      paramLabel = "U",
      defaultValue = "${env:HMS_SIM_SOAP_USERNAME}",
      showDefaultValue = CommandLine.Help.Visibility.NEVER,
      description = "Username submitSingleMessage must send (with --soap-password); defaults to the HMS_SIM_SOAP_USERNAME environment variable. Without one, any credentials are accepted.")
  private String soapUsername;

  @Option(
      names = "--soap-password",
      paramLabel = "P",
      defaultValue = "${env:HMS_SIM_SOAP_PASSWORD}",
      showDefaultValue = CommandLine.Help.Visibility.NEVER,
      description = "Password submitSingleMessage must send (with --soap-username); defaults to the HMS_SIM_SOAP_PASSWORD environment variable. A wrong one gets a SecurityFault.")
  private String soapPassword;

  @Option(
      names = "--webhook-url",
      paramLabel = "URL",
      description = "Send the IIS's own changes (POST /sim/appointments/{id}/reschedule|cancel) as signed Standard Webhooks to this URL, e.g. http://127.0.0.1:8080/webhooks/state-iis (with --webhook-secret).")
  private URI webhookUrl;

  @Option(
      names = "--webhook-secret",
      paramLabel = "S",
      defaultValue = "${env:HMS_SIM_WEBHOOK_SECRET}",
      showDefaultValue = CommandLine.Help.Visibility.NEVER,
      description = "Standard Webhooks secret (whsec_ and base64) the webhooks are signed with; defaults to the HMS_SIM_WEBHOOK_SECRET environment variable.")
  private String webhookSecret;

  @Override
  public Integer call() {
    SimulatorOptions options = validatedOptions();
    IisSimulator simulator = IisSimulator.start(options);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  simulator.close();
                  stopped.countDown();
                },
                "iis-simulator-shutdown"));
    PrintWriter out = spec.commandLine().getOut();
    out.println(startupLine(simulator.baseUrl(), options));
    out.println(soapLine(simulator.soapUrl(), simulator.baseUrl(), options));
    out.println(changesLine(simulator.baseUrl(), options));
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      simulator.close();
    }
    return 0;
  }

  private SimulatorOptions validatedOptions() {
    if (port < 0 || port > 65_535) {
      throw invalid("--port must be between 0 and 65535 (0 picks a free port), got " + port);
    }
    if (host == null || host.isBlank()) {
      throw invalid("--host must not be blank; use 127.0.0.1 to listen on the loopback interface");
    }
    if (Double.isNaN(failRate) || failRate < 0.0 || failRate > 1.0) {
      throw invalid(
          "--fail-rate must be between 0 and 1 (0.2 fails one request in five), got " + failRate);
    }
    if (latencyMs < 0) {
      throw invalid("--latency-ms must be 0 or more, got " + latencyMs);
    }
    if (token != null && token.isBlank()) {
      throw invalid(
          "--token (or HMS_SIM_TOKEN) must not be blank; leave it unset to disable authentication");
    }
    boolean username = soapUsername != null && !soapUsername.isBlank();
    boolean password = soapPassword != null && !soapPassword.isBlank();
    if (username != password) {
      throw invalid(
          "--soap-username and --soap-password (or HMS_SIM_SOAP_USERNAME and"
              + " HMS_SIM_SOAP_PASSWORD) go together: set both, or neither to accept any"
              + " credentials");
    }
    String secret = webhookSecret == null || webhookSecret.isBlank() ? null : webhookSecret.trim();
    if (webhookUrl == null
        && secret != null
        && spec.commandLine().getParseResult().hasMatchedOption("--webhook-secret")) {
      throw invalid(
          "--webhook-secret is set but --webhook-url is missing; give both to send webhooks");
    }
    if (webhookUrl != null && secret == null) {
      throw invalid(
          "--webhook-url needs --webhook-secret (or HMS_SIM_WEBHOOK_SECRET): the webhooks must be"
              + " signed with the secret in the service's inbound.webhook.secrets");
    }
    try {
      return new SimulatorOptions(
          host.trim(),
          port,
          failRate,
          Duration.ofMillis(latencyMs),
          downFor,
          token,
          username ? soapUsername : null,
          password ? soapPassword : null,
          webhookUrl,
          webhookUrl == null ? null : secret);
    } catch (IllegalArgumentException invalidWebhook) {
      throw invalid(
          invalidWebhook
              .getMessage()
              .replace("Simulator webhookUrl", "--webhook-url")
              .replace("Simulator webhook secret", "--webhook-secret"));
    }
  }

  /**
   * The options the parsed command line gives, checked as {@code call()} checks them; for tests.
   *
   * @throws ParameterException naming the wrong option
   */
  public SimulatorOptions options() {
    return validatedOptions();
  }

  static String changesLine(URI baseUrl, SimulatorOptions options) {
    // {id} is a placeholder for people, not a URI: it cannot go through URI.resolve.
    return "The IIS's own changes: POST "
        + baseUrl.resolve("/sim/appointments/") + "{id}/reschedule"
        + " {\"slotTime\",\"slotEnd\"} or .../cancel {\"reason\"}; feed: GET "
        + baseUrl.resolve("/api/changes?updatedSince=...&limit=N")
        + (options.webhookUrl() == null
            ? "; no webhooks (give --webhook-url and --webhook-secret)"
            : "; signed webhooks to " + options.webhookUrl());
  }

  private static String soapLine(URI soapUrl, URI baseUrl, SimulatorOptions options) {
    return "IIS SOAP service (CDC IIS 2011, SOAP 1.2, HL7 v2.5.1 VXU) on "
        + soapUrl
        + (options.requiredUsername() == null ? "" : " (username and password required)")
        + "; vaccinations it holds: GET "
        + baseUrl.resolve("/sim/vaccinations");
  }

  private static String startupLine(URI baseUrl, SimulatorOptions options) {
    String control = baseUrl.resolve("/sim").toString();
    return "IIS simulator listening on "
        + baseUrl
        + (options.requiredToken() == null ? "" : " (bearer token required)")
        + "; control: GET "
        + control
        + "/ledger, GET "
        + control
        + "/stats, POST "
        + control
        + "/down?for=10s, POST "
        + control
        + "/up, POST "
        + control
        + "/fail-rate?rate=0.2, POST "
        + control
        + "/reset; Ctrl-C stops it";
  }

  private ParameterException invalid(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** Reads durations such as 250ms, 10s, 2m or 1h. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return SimulatorOptions.parseDuration(value);
      } catch (IllegalArgumentException notADuration) {
        throw new CommandLine.TypeConversionException(notADuration.getMessage());
      }
    }
  }
}
