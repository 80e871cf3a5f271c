package org.hms.sync.connector.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.hms.sync.config.AuthConfig;
import org.hms.sync.config.ConnectorConfig;
import org.hms.sync.config.TimeoutsConfig;
import org.hms.sync.config.TlsConfig;
import org.hms.sync.connector.http.Http;
import org.hms.sync.connector.http.Tls;
import org.hms.sync.connector.http.TlsException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS through {@link Http#client}: a real HTTPS server that requires a client certificate
 * signed by the test CA.
 */
class MutualTlsTest {
  private static final String PASSWORD = "store-pass-123";

  @TempDir static Path dir;

  private static TestPki pki;
  private static HttpsServer server;
  private static final List<String> clientSubjects = new CopyOnWriteArrayList<>();
  private static Path clientP12;
  private static Path clientJks;
  private static Path trustP12;

  @BeforeAll
  static void startServer() throws Exception {
    pki = new TestPki("mtls");
    clientP12 =
        TestPki.write(
            TestPki.keyStore(pki.client, "PKCS12", PASSWORD), dir.resolve("client.p12"), PASSWORD);
    clientJks =
        TestPki.write(
            TestPki.keyStore(pki.client, "JKS", PASSWORD), dir.resolve("client.jks"), PASSWORD);
    trustP12 =
        TestPki.write(
            TestPki.trustStore(PASSWORD, pki.ca.certificate()), dir.resolve("trust.p12"), PASSWORD);

    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(TestPki.keyStore(pki.server, "PKCS12", PASSWORD), PASSWORD.toCharArray());
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(TestPki.trustStore(PASSWORD, pki.ca.certificate()));
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);

    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(
        new HttpsConfigurator(context) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
            parameters.setNeedClientAuth(true);
            params.setSSLParameters(parameters);
          }
        });
    server.createContext(
        "/appointments",
        exchange -> {
          String subject =
              ((HttpsExchange) exchange).getSSLSession().getPeerPrincipal().getName();
          clientSubjects.add(subject);
          byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  @AfterAll
  static void stopServer() {
    server.stop(0);
  }

  private static URI url() {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/appointments");
  }

  private static HttpResponse<String> get(TlsConfig tls) throws IOException, InterruptedException {
    ConnectorConfig config =
        new ConnectorConfig(
            "mtls-iis",
            "rest",
            URI.create("https://127.0.0.1:" + server.getAddress().getPort()),
            AuthConfig.none(),
            tls,
            new TimeoutsConfig(Duration.ofSeconds(5), Duration.ofSeconds(5)),
            null,
            null,
            null,
            null,
            null,
            null, null, null, null);
    HttpClient client = Http.client(config);
    return client.send(
        HttpRequest.newBuilder(url()).timeout(Duration.ofSeconds(5)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void handshake_succeeds_with_the_client_certificate_from_the_pkcs12_key_store() throws Exception {
    int before = clientSubjects.size();

    HttpResponse<String> response = get(new TlsConfig(clientP12, PASSWORD, trustP12, PASSWORD));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(clientSubjects.subList(before, clientSubjects.size()))
        .containsExactly("CN=hms-sync-client");
  }

  @Test
  void a_jks_key_store_works_too() throws Exception {
    HttpResponse<String> response = get(new TlsConfig(clientJks, PASSWORD, trustP12, PASSWORD));

    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void handshake_fails_without_a_client_certificate() {
    int before = clientSubjects.size();

    assertThatThrownBy(() -> get(new TlsConfig(null, null, trustP12, PASSWORD)))
        .isInstanceOf(IOException.class);
    assertThat(clientSubjects).hasSize(before);
  }

  @Test
  void handshake_fails_when_the_server_certificate_is_not_in_the_trust_store() {
    // without a trust store the JDK's default CAs apply, and they do not know the test CA
    assertThatThrownBy(() -> get(new TlsConfig(clientP12, PASSWORD, null, null)))
        .isInstanceOf(IOException.class);
  }

  @Test
  void a_client_certificate_from_another_ca_is_refused() {
    TestPki stranger = new TestPki("stranger");
    Path strangerP12 =
        TestPki.write(
            TestPki.keyStore(stranger.client, "PKCS12", PASSWORD),
            dir.resolve("stranger.p12"),
            PASSWORD);
    int before = clientSubjects.size();

    assertThatThrownBy(() -> get(new TlsConfig(strangerP12, PASSWORD, trustP12, PASSWORD)))
        .isInstanceOf(IOException.class);
    assertThat(clientSubjects).hasSize(before);
  }

  // ---- stores that cannot be used ----

  @Test
  void a_wrong_key_store_password_names_the_file_but_not_the_password() {
    assertThatThrownBy(() -> Tls.context(new TlsConfig(clientP12, "wrong-pass-987", null, null)))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining(clientP12.toString())
        .hasMessageContaining("tls.keyStorePassword")
        .hasMessageNotContaining("wrong-pass-987")
        .hasMessageNotContaining(PASSWORD);
  }

  @Test
  void a_wrong_trust_store_password_names_the_file() {
    assertThatThrownBy(() -> Tls.context(new TlsConfig(null, null, trustP12, "wrong-pass-987")))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining(trustP12.toString())
        .hasMessageContaining("tls.trustStorePassword")
        .hasMessageNotContaining("wrong-pass-987");
  }

  @Test
  void a_missing_key_store_names_the_file() {
    Path absent = dir.resolve("absent.p12");

    assertThatThrownBy(() -> Tls.context(new TlsConfig(absent, PASSWORD, null, null)))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining(absent.toString())
        .hasMessageContaining("does not exist")
        .hasMessageNotContaining(PASSWORD);
  }

  @Test
  void a_file_that_is_no_key_store_is_refused() throws IOException {
    Path text = Files.writeString(dir.resolve("notes.p12"), "not a key store");

    assertThatThrownBy(() -> Tls.context(new TlsConfig(text, PASSWORD, null, null)))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining(text.toString())
        .hasMessageContaining("PKCS#12 or JKS");
  }

  @Test
  void a_key_store_without_a_private_key_is_refused() {
    KeyStore certificatesOnly = TestPki.trustStore(PASSWORD, pki.client.certificate());
    Path file = TestPki.write(certificatesOnly, dir.resolve("certs-only.p12"), PASSWORD);

    assertThatThrownBy(() -> Tls.context(new TlsConfig(file, PASSWORD, null, null)))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining("holds no private key");
  }

  @Test
  void no_stores_give_the_jdk_default_context() throws Exception {
    assertThat(Tls.context(TlsConfig.none())).isSameAs(SSLContext.getDefault());
  }
}
