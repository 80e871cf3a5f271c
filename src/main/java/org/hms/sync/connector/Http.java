package org.hms.sync.connector;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.Map;
import org.hms.sync.SyncException;
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

  /**
   * Checks at start-up that the JDK HTTP client lets every configured header be set (it refuses
   * the ones it manages itself, such as {@code Host} or {@code Content-Length}).
   *
   * @throws SyncException naming the connector and the header
   */
  public static void checkHeaders(ConnectorConfig config) {
    for (Map.Entry<String, String> header : config.headers().entrySet()) {
      try {
        HttpRequest.newBuilder(config.baseUrl()).header(header.getKey(), header.getValue());
      } catch (IllegalArgumentException refused) {
        throw new SyncException(
            "connector '" + config.id() + "': header '" + header.getKey()
                + "' cannot be set (the HTTP client manages it); remove it from headers");
      }
    }
  }

  private static String version() {
    String version = Http.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
