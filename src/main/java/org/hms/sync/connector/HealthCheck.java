package org.hms.sync.connector;

import java.util.concurrent.CompletableFuture;

/**
 * A connector that can ask its external system whether it is reachable (e.g. the CDC WSDL's
 * connectivityTest), for {@code GET /api/connectors}.
 */
public interface HealthCheck {
  /** Never completes exceptionally: a failure is an unhealthy {@link Health}. */
  CompletableFuture<Health> checkHealth();

  /**
   * @param healthy the system answered as expected
   * @param detail a short reason, without secrets or PHI
   */
  record Health(boolean healthy, String detail) {}
}
