package org.hms.sync.config;

/**
 * The HTTP server (API, webhooks, dashboard).
 *
 * @param port 0..65535, default 8080; 0 picks any free port
 * @param adminToken {@code server.adminToken}, else the environment variable {@code
 *     HMS_ADMIN_TOKEN}, else {@code null}
 */
public record ServerConfig(int port, String adminToken) {

  @Override
  public String toString() {
    return "ServerConfig[port=" + port + ", adminToken=" + Redact.secret(adminToken) + "]";
  }
}
