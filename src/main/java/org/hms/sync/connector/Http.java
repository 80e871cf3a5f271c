package org.hms.sync.connector;

import java.net.http.HttpClient;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.connector.auth.Tls;

/** The HTTP client every connector type shares the rules of. */
public final class Http {
  /** {@code hms-sync/<version>}. */
  public static final String USER_AGENT = "hms-sync/" + version();

  private Http() {}

  /**
   * HTTP/1.1, redirects never followed (outbound URLs come only from the config file), the
   * connector's connect timeout and TLS material.
   */
  public static HttpClient client(ConnectorConfig config) {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(config.timeouts().connect())
        .sslContext(Tls.context(config.tls()))
        .build();
  }

  private static String version() {
    String version = Http.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
