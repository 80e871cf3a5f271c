package org.hms.sync.simulator;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How an {@link IisSimulator} starts: where it listens and which faults it injects from the first
 * request on. Every value is checked here, so a simulator never starts half-configured.
 *
 * @param host address to bind, normally {@code 127.0.0.1}
 * @param port TCP port, {@code 0} picks a free one (read it back with {@link IisSimulator#port()})
 * @param failRate share of {@code /api} requests answered 503, from 0 to 1
 * @param latency delay added to every {@code /api} request before it is handled
 * @param downFor the simulator answers 503 to every {@code /api} request for this long after start
 * @param requiredToken when not null, {@code /api} requests need {@code Authorization: Bearer <token>}
 * @param requiredUsername when not null, SOAP {@code submitSingleMessage} requests need this
 *     {@code username} (and {@code requiredPassword}); otherwise they get a {@code SecurityFault}
 * @param requiredPassword the {@code password} that goes with {@code requiredUsername}; both are
 *     set, or neither
 * @param webhookUrl when not null, changes the IIS makes on its own side ({@link
 *     IisSimulator#reschedule}, {@link IisSimulator#cancel}) are sent there as signed webhooks
 * @param webhookSecret the Standard Webhooks secret ({@code whsec_} and base64) the webhooks are
 *     signed with; set together with {@code webhookUrl}, or neither
 */
public record SimulatorOptions(
    String host,
    int port,
    double failRate,
    Duration latency,
    Duration downFor,
    String requiredToken,
    String requiredUsername,
    String requiredPassword,
    URI webhookUrl,
    String webhookSecret) {

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  public SimulatorOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException(
          "Simulator host must not be blank; use 127.0.0.1 to listen on the loopback interface");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(
          "Simulator port must be between 0 and 65535 (0 picks a free port), got " + port);
    }
    requireRate(failRate);
    requireNonNegative("latency", latency);
    requireNonNegative("downFor", downFor);
    if (requiredToken != null && requiredToken.isBlank()) {
      throw new IllegalArgumentException(
          "Simulator requiredToken must not be blank; pass null to disable bearer authentication");
    }
    if ((requiredUsername == null) != (requiredPassword == null)) {
      throw new IllegalArgumentException(
          "Simulator requiredUsername and requiredPassword go together: set both, or neither to"
              + " accept any SOAP credentials (username "
              + (requiredUsername == null ? "missing" : "set")
              + ", password "
              + (requiredPassword == null ? "missing" : "set")
              + ")");
    }
    if ((requiredUsername != null && requiredUsername.isBlank())
        || (requiredPassword != null && requiredPassword.isBlank())) {
      throw new IllegalArgumentException(
          "Simulator requiredUsername and requiredPassword must not be blank; pass null for both"
              + " to accept any SOAP credentials");
    }
    requireWebhookTarget(webhookUrl, webhookSecret);
  }

  /** Without a webhook target: every component but the last two. */
  public SimulatorOptions(
      String host,
      int port,
      double failRate,
      Duration latency,
      Duration downFor,
      String requiredToken,
      String requiredUsername,
      String requiredPassword) {
    this(
        host, port, failRate, latency, downFor, requiredToken, requiredUsername, requiredPassword,
        null, null);
  }

  /** Without SOAP credentials: every component but the last two. */
  public SimulatorOptions(
      String host,
      int port,
      double failRate,
      Duration latency,
      Duration downFor,
      String requiredToken) {
    this(host, port, failRate, latency, downFor, requiredToken, null, null, null, null);
  }

  /** Loopback, a free port, no faults, no authentication. */
  public static SimulatorOptions defaults() {
    return new SimulatorOptions("127.0.0.1", 0, 0.0, Duration.ZERO, Duration.ZERO, null);
  }

  public SimulatorOptions withPort(int newPort) {
    return new SimulatorOptions(
        host, newPort, failRate, latency, downFor, requiredToken, requiredUsername,
        requiredPassword, webhookUrl, webhookSecret);
  }

  public SimulatorOptions withFailRate(double newFailRate) {
    return new SimulatorOptions(
        host, port, newFailRate, latency, downFor, requiredToken, requiredUsername,
        requiredPassword, webhookUrl, webhookSecret);
  }

  public SimulatorOptions withLatency(Duration newLatency) {
    return new SimulatorOptions(
        host, port, failRate, newLatency, downFor, requiredToken, requiredUsername,
        requiredPassword, webhookUrl, webhookSecret);
  }

  public SimulatorOptions withDownFor(Duration newDownFor) {
    return new SimulatorOptions(
        host, port, failRate, latency, newDownFor, requiredToken, requiredUsername,
        requiredPassword, webhookUrl, webhookSecret);
  }

  public SimulatorOptions withRequiredToken(String newRequiredToken) {
    return new SimulatorOptions(
        host, port, failRate, latency, downFor, newRequiredToken, requiredUsername,
        requiredPassword, webhookUrl, webhookSecret);
  }

  /**
   * The username and password that SOAP {@code submitSingleMessage} requests must carry; {@code
   * null} for both accepts any (or none).
   */
  public SimulatorOptions withRequiredCredentials(String username, String password) {
    return new SimulatorOptions(
        host, port, failRate, latency, downFor, requiredToken, username, password, webhookUrl,
        webhookSecret);
  }

  /**
   * Where changes the IIS makes on its own side go as signed webhooks, and the secret ({@code
   * whsec_...}) they are signed with; {@code null} for both sends none.
   */
  public SimulatorOptions withWebhook(URI url, String secret) {
    return new SimulatorOptions(
        host, port, failRate, latency, downFor, requiredToken, requiredUsername, requiredPassword,
        url, secret);
  }

  /**
   * Reads the short duration form used by the control endpoints and the CLI: digits followed by
   * {@code ms}, {@code s}, {@code m} or {@code h} ({@code 250ms}, {@code 2s}, {@code 10m}), or a
   * bare {@code 0}.
   *
   * @throws IllegalArgumentException naming the text and the accepted form
   */
  public static Duration parseDuration(String text) {
    if (text != null && text.trim().equals("0")) {
      return Duration.ZERO;
    }
    return org.hms.sync.config.Durations.parse(text);
  }

  /** Never prints the token or the password: options end up in logs. */
  @Override
  public String toString() {
    return "SimulatorOptions[host="
        + host
        + ", port="
        + port
        + ", failRate="
        + failRate
        + ", latency="
        + latency
        + ", downFor="
        + downFor
        + ", requiredToken="
        + (requiredToken == null ? "none" : "****")
        + ", requiredUsername="
        + (requiredUsername == null ? "none" : requiredUsername)
        + ", requiredPassword="
        + (requiredPassword == null ? "none" : "****")
        + ", webhookUrl="
        + (webhookUrl == null ? "none" : webhookUrl)
        + ", webhookSecret="
        + (webhookSecret == null ? "none" : "****")
        + "]";
  }

  /**
   * Checks a webhook target: both null, or an absolute http(s) URL and a {@code whsec_} secret
   * whose rest is base64. The secret is never part of a message.
   */
  static void requireWebhookTarget(URI url, String secret) {
    if ((url == null) != (secret == null)) {
      throw new IllegalArgumentException(
          "Simulator webhookUrl and webhookSecret go together: set both, or neither to send no"
              + " webhooks (url "
              + (url == null ? "missing" : "set")
              + ", secret "
              + (secret == null ? "missing" : "set")
              + ")");
    }
    if (url == null) {
      return;
    }
    if (!url.isAbsolute()
        || url.getHost() == null
        || !("http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme()))) {
      throw new IllegalArgumentException(
          "Simulator webhookUrl must be an absolute http or https URL, got '"
              + url
              + "'; e.g. http://127.0.0.1:8080/webhooks/state-iis");
    }
    WebhookSigner.decodeSecret(secret);
  }

  static double requireRate(double rate) {
    if (Double.isNaN(rate) || rate < 0.0 || rate > 1.0) {
      throw new IllegalArgumentException(
          "Simulator fail rate must be between 0 and 1 (0.2 fails one request in five), got " + rate);
    }
    return rate;
  }

  static Duration requireNonNegative(String name, Duration duration) {
    Objects.requireNonNull(duration, () -> "Simulator " + name + " must not be null; use Duration.ZERO");
    if (duration.isNegative()) {
      throw new IllegalArgumentException(
          "Simulator " + name + " must not be negative, got " + duration + "; use Duration.ZERO for none");
    }
    return duration;
  }
}
