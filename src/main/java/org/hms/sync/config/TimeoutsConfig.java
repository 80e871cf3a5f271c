package org.hms.sync.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Timeouts for one connector's calls.
 *
 * @param connect to open a connection, default 5s
 * @param request for a whole request and its response, default 10s
 */
public record TimeoutsConfig(Duration connect, Duration request) {

  public TimeoutsConfig {
    Objects.requireNonNull(connect, "connect");
    Objects.requireNonNull(request, "request");
  }

  /** 5s to connect, 10s per request. */
  public static TimeoutsConfig defaults() {
    return new TimeoutsConfig(Defaults.CONNECT_TIMEOUT, Defaults.REQUEST_TIMEOUT);
  }

  @Override
  public String toString() {
    return "TimeoutsConfig[connect="
        + Durations.format(connect)
        + ", request="
        + Durations.format(request)
        + "]";
  }
}
