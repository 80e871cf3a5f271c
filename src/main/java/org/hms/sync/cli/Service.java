package org.hms.sync.cli;

import org.hms.sync.config.SyncConfig;
import org.hms.sync.reconcile.Reconciler;

/**
 * The service as the commands that need it see it. The launcher opens it from a configuration;
 * commands never build it themselves.
 */
public interface Service extends AutoCloseable {

  /** Opens the service from a configuration: database migrated, connectors built, nothing started. */
  @FunctionalInterface
  interface Opener {
    Service open(SyncConfig config);
  }

  /** Starts the HTTP API with this admin token, then the delivery engine and the background work. */
  void serve(String adminToken);

  /** The port the HTTP API listens on, once serving. */
  int port();

  /** Runs and finds reconciliations. */
  Reconciler reconciler();

  /** Stops everything in order (see {@code engine.shutdownGrace}); idempotent. */
  @Override
  void close();
}
