package org.hms.sync.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The HTTP server (API, webhooks, dashboard).
 *
 * @param port 0..65535, default 8080; 0 picks any free port
 * @param adminToken {@code server.adminToken}, else the environment variable {@code
 *     HMS_ADMIN_TOKEN}, else {@code null}
 * @param requestTimeout the longest a client may take to send its request body, and the longest
 *     a connection may stay silent, default 30s
 * @param minRequestDataRate the slowest a body may arrive, in bytes per second, default 240; 0
 *     turns the check off
 * @param idempotencyRetention how long an {@code Idempotency-Key} and its answer are kept,
 *     default 24h
 */
public record ServerConfig(
    int port,
    String adminToken,
    Duration requestTimeout,
    long minRequestDataRate,
    Duration idempotencyRetention) {

  public ServerConfig {
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(idempotencyRetention, "idempotencyRetention");
  }

  /** The defaults for everything but the port and the token. */
  public static ServerConfig of(int port, String adminToken) {
    return new ServerConfig(
        port,
        adminToken,
        Defaults.SERVER_REQUEST_TIMEOUT,
        Defaults.MIN_REQUEST_DATA_RATE,
        Defaults.IDEMPOTENCY_RETENTION);
  }

  @Override
  public String toString() {
    return "ServerConfig[port=" + port + ", adminToken=" + Redact.secret(adminToken)
        + ", requestTimeout=" + Durations.format(requestTimeout)
        + ", minRequestDataRate=" + minRequestDataRate
        + ", idempotencyRetention=" + Durations.format(idempotencyRetention) + "]";
  }
}
