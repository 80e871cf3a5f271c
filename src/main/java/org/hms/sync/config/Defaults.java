package org.hms.sync.config;

import java.time.Duration;

/** Default values for every optional key; the README's Configuration section lists the same. */
final class Defaults {
  static final int PORT = 8080;
  static final String ADMIN_TOKEN_ENV = "HMS_ADMIN_TOKEN";
  static final Duration SERVER_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /** Bytes per second; the figure ASP.NET Core's Kestrel uses for request bodies. */
  static final int MIN_REQUEST_DATA_RATE = 240;
  static final Duration IDEMPOTENCY_RETENTION = Duration.ofHours(24);

  static final String DB_URL_ENV = "HMS_DB_URL";
  static final String DB_URL = "jdbc:h2:file:./data/hms-sync";
  static final String DB_USER = "";
  static final String DB_PASSWORD = "";
  static final int MAX_POOL_SIZE = 10;

  static final int MAX_IN_FLIGHT = 64;
  static final int BATCH_SIZE = 128;
  static final Duration POLL_INTERVAL = Duration.ofSeconds(1);
  static final Duration LEASE = Duration.ofSeconds(30);
  static final Duration RETENTION = Duration.ofDays(30);
  static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  static final int MAX_ATTEMPTS = 12;
  static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofMinutes(10);
  static final double MULTIPLIER = 2.0;

  static final int BREAKER_FAILURE_RATE = 50;
  static final int BREAKER_MINIMUM_CALLS = 20;
  static final int BREAKER_WINDOW = 50;
  static final Duration BREAKER_OPEN_FOR = Duration.ofSeconds(30);
  static final int BREAKER_HALF_OPEN_PROBES = 3;

  /** iis-soap: resends after an HTTP 2xx answer without a readable ACK, then a dead letter. */
  static final int UNREADABLE_ACK_RETRIES = 1;

  private Defaults() {}
}
