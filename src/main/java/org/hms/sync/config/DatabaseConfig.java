package org.hms.sync.config;

import java.util.Objects;

/**
 * Where the service keeps its data.
 *
 * @param url {@code database.url}, else the environment variable {@code HMS_DB_URL}, else {@code
 *     jdbc:h2:file:./data/hms-sync} (taken literally, relative to the working directory)
 * @param user default {@code ""}
 * @param password default {@code ""}; never printed
 * @param maxPoolSize at least 1, default 10
 */
public record DatabaseConfig(String url, String user, String password, int maxPoolSize) {

  public DatabaseConfig {
    Objects.requireNonNull(url, "url");
  }

  @Override
  public String toString() {
    return "DatabaseConfig[url="
        + Redact.url(url)
        + ", user="
        + user
        + ", password="
        + Redact.secret(password)
        + ", maxPoolSize="
        + maxPoolSize
        + "]";
  }
}
