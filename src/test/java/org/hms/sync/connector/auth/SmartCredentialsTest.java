package org.hms.sync.connector.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hms.sync.connector.auth.Tokens.failure;
import static org.hms.sync.connector.auth.Tokens.header;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.hms.sync.config.AuthConfig;
import org.hms.sync.connector.auth.TokenServer.TokenRequest;
import org.hms.sync.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SMART Backend Services against a real token endpoint that verifies the client assertion's
 * signature with the registered public key.
 */
class SmartCredentialsTest {
  private static final String CLIENT_ID = "hms-sync-backend";
  private static final String SCOPE = "system/Appointment.write system/Slot.read";
  private static final Instant NOW = Instant.parse("2027-03-01T08:00:00Z");

  private static KeyPair rsa;
  private static KeyPair ec384;

  @TempDir static Path keys;

  private final TokenServer server = TokenServer.start();
  private final MutableClock clock = new MutableClock(NOW);
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void makeKeys() {
    rsa = TestKeys.rsa(2048);
    ec384 = TestKeys.ec("secp384r1");
    TestKeys.pkcs8Pem(keys, "rsa.pem", rsa.getPrivate());
    TestKeys.pkcs8Pem(keys, "ec384.pem", ec384.getPrivate());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Credentials smart(String file, String algorithm, String keyId) {
    return Credentials.of(
        AuthConfig.smart(server.tokenUrl(), CLIENT_ID, keys.resolve(file), algorithm, keyId, SCOPE),
        http,
        clock);
  }

  private static SignedJWT assertion(TokenRequest request) throws Exception {
    return SignedJWT.parse(request.param("client_assertion"));
  }

  @Test
  void rs384_assertion_is_signed_with_the_key_and_carries_the_smart_claims() throws Exception {
    server.requireAssertionVerifiedBy(new RSASSAVerifier((RSAPublicKey) rsa.getPublic()));

    String header = header(smart("rsa.pem", "RS384", "key-2027"));

    assertThat(header).isEqualTo("Bearer token-1");
    TokenRequest request = server.received().get(0);
    assertThat(request.authorization()).isNull();
    assertThat(request.form())
        .containsEntry("grant_type", "client_credentials")
        .containsEntry("scope", SCOPE)
        .containsEntry(
            "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    SignedJWT jwt = assertion(request);
    assertThat(jwt.verify(new RSASSAVerifier((RSAPublicKey) rsa.getPublic()))).isTrue();
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS384);
    assertThat(jwt.getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
    assertThat(jwt.getHeader().getKeyID()).isEqualTo("key-2027");
    JWTClaimsSet claims = jwt.getJWTClaimsSet();
    assertThat(claims.getIssuer()).isEqualTo(CLIENT_ID);
    assertThat(claims.getSubject()).isEqualTo(CLIENT_ID);
    assertThat(claims.getAudience()).containsExactly(server.tokenUrl().toString());
    assertThat(claims.getIssueTime().toInstant()).isEqualTo(NOW);
    assertThat(claims.getExpirationTime().toInstant()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
    assertThat(UUID.fromString(claims.getJWTID())).isNotNull();
  }

  @Test
  void es384_assertion_verifies_with_the_p384_public_key() throws Exception {
    server.requireAssertionVerifiedBy(new ECDSAVerifier((ECPublicKey) ec384.getPublic()));

    String header = header(smart("ec384.pem", "ES384", null));

    assertThat(header).isEqualTo("Bearer token-1");
    SignedJWT jwt = assertion(server.received().get(0));
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES384);
    assertThat(jwt.getHeader().getKeyID()).isNull();
    assertThat(jwt.verify(new ECDSAVerifier((ECPublicKey) ec384.getPublic()))).isTrue();
  }

  @Test
  void algorithm_defaults_to_rs384() throws Exception {
    header(smart("rsa.pem", null, null));

    assertThat(assertion(server.received().get(0)).getHeader().getAlgorithm())
        .isEqualTo(JWSAlgorithm.RS384);
  }

  @Test
  void every_token_request_carries_a_new_assertion_with_its_own_jti_and_time() throws Exception {
    server.expiresIn("300");
    Credentials credentials = smart("rsa.pem", "RS384", null);
    header(credentials);
    clock.advance(Duration.ofSeconds(270));

    assertThat(header(credentials)).isEqualTo("Bearer token-2");

    List<TokenRequest> requests = server.received();
    JWTClaimsSet first = assertion(requests.get(0)).getJWTClaimsSet();
    JWTClaimsSet second = assertion(requests.get(1)).getJWTClaimsSet();
    assertThat(second.getJWTID()).isNotEqualTo(first.getJWTID());
    assertThat(second.getIssueTime().toInstant()).isEqualTo(NOW.plusSeconds(270));
  }

  @Test
  void cached_smart_token_is_reused_until_invalidated() {
    Credentials credentials = smart("rsa.pem", "RS384", null);

    header(credentials);
    header(credentials);
    credentials.invalidate();
    String afterInvalidate = header(credentials);

    assertThat(afterInvalidate).isEqualTo("Bearer token-2");
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void an_assertion_signed_by_another_key_is_refused_and_not_retryable() {
    KeyPair registered = TestKeys.rsa(2048);
    server.requireAssertionVerifiedBy(new RSASSAVerifier((RSAPublicKey) registered.getPublic()));

    AuthException refused = failure(smart("rsa.pem", "RS384", "key-2027"));

    assertThat(refused.retryable()).isFalse();
    assertThat(refused.getMessage())
        .contains("HTTP 401")
        .contains("invalid_client")
        .contains("public key")
        .contains("kid 'key-2027'")
        .doesNotContain("eyJ"); // no JWT (assertion) in the message
  }

  @Test
  void preview_and_to_string_show_no_key_material() throws Exception {
    Credentials credentials = smart("rsa.pem", "RS384", null);
    String pem = Files.readString(keys.resolve("rsa.pem"));
    String keyLine = pem.lines().skip(1).findFirst().orElseThrow();

    assertThat(credentials.preview()).contains("Bearer <token from " + server.tokenUrl() + ">");
    assertThat(credentials.toString()).contains(CLIENT_ID).doesNotContain(keyLine);
  }

  // ---- start-up checks of the key ----

  @Test
  void a_missing_key_file_fails_at_start_up_naming_the_file() {
    assertThatThrownBy(() -> smart("absent.pem", "RS384", null))
        .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining(keys.resolve("absent.pem").toString())
        .hasMessageContaining("auth.privateKey");
  }

  @Test
  void a_pkcs1_rsa_key_is_refused_with_the_command_that_converts_it() {
    TestKeys.pem(keys, "pkcs1.pem", "RSA PRIVATE KEY", new byte[] {1, 2, 3});

    assertThatThrownBy(() -> smart("pkcs1.pem", "RS384", null))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("PKCS#1")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }

  @Test
  void an_encrypted_key_is_refused() {
    TestKeys.pem(keys, "encrypted.pem", "ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3});

    assertThatThrownBy(() -> smart("encrypted.pem", "RS384", null))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("is encrypted");
  }

  @Test
  void a_file_without_a_pem_block_is_refused_without_echoing_its_content() throws Exception {
    String der = Base64.getEncoder().encodeToString(rsa.getPrivate().getEncoded());
    Files.writeString(keys.resolve("bare.txt"), der);

    assertThatThrownBy(() -> smart("bare.txt", "RS384", null))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("no PEM block")
        .hasMessageNotContaining(der.substring(0, 40));
  }

  @Test
  void an_ec_key_with_rs384_is_refused_and_the_message_says_to_use_es384() {
    assertThatThrownBy(() -> smart("ec384.pem", "RS384", null))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("RS384, which needs an RSA key")
        .hasMessageContaining("auth.algorithm: ES384");
  }

  @Test
  void an_rsa_key_with_es384_is_refused() {
    assertThatThrownBy(() -> smart("rsa.pem", "ES384", null))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("ES384, which needs an EC P-384 key");
  }

  @Test
  void an_ec_key_on_another_curve_is_refused_for_es384() {
    TestKeys.pkcs8Pem(keys, "ec256.pem", TestKeys.ec("secp256r1").getPrivate());

    assertThatThrownBy(() -> smart("ec256.pem", "ES384", null))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("P-256")
        .hasMessageContaining("needs P-384");
  }

  @Test
  void a_short_rsa_key_is_refused() {
    TestKeys.pkcs8Pem(keys, "rsa1024.pem", TestKeys.rsa(1024).getPrivate());

    assertThatThrownBy(() -> smart("rsa1024.pem", "RS384", null))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("1024-bit")
        .hasMessageContaining("at least 2048");
  }

  @Test
  void an_algorithm_smart_does_not_allow_is_refused() {
    assertThatThrownBy(() -> smart("rsa.pem", "HS256", null))
        .isInstanceOf(AuthException.class)
        .hasMessageContaining("'HS256' is not supported")
        .hasMessageContaining("RS384 (default) or ES384");
  }
}
