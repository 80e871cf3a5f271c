package org.hms.sync.connector.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.hms.sync.config.AuthConfig;

/**
 * SMART Backend Services: the client credentials grant with a {@code private_key_jwt} client
 * assertion (RFC 7523). Every token request carries a new JWT: header {@code alg} (RS384 or
 * ES384), {@code typ: JWT} and {@code kid} when configured; claims {@code iss} = {@code sub} = the
 * client id, {@code aud} = the token URL, {@code iat} now, {@code exp} five minutes later (the
 * most SMART allows) and a random {@code jti}.
 */
final class SmartAssertion implements TokenGrant {
  static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
  static final Duration LIFETIME = Duration.ofMinutes(5);
  static final String DEFAULT_ALGORITHM = "RS384";
  private static final int MIN_RSA_BITS = 2048;

  private final String clientId;
  private final String audience;
  private final String scope;
  private final String keyId;
  private final JWSAlgorithm algorithm;
  private final JWSSigner signer;

  private SmartAssertion(
      String clientId,
      String audience,
      String scope,
      String keyId,
      JWSAlgorithm algorithm,
      JWSSigner signer) {
    this.clientId = clientId;
    this.audience = audience;
    this.scope = scope;
    this.keyId = keyId;
    this.algorithm = algorithm;
    this.signer = signer;
  }

  /**
   * Reads the private key and checks that it fits the algorithm, so that a wrong key fails at
   * start-up rather than at the first delivery.
   *
   * @throws AuthException (not retryable) naming the key file and what to change
   */
  static SmartAssertion create(AuthConfig auth, URI tokenUrl) {
    JWSAlgorithm algorithm = algorithm(auth.algorithm());
    Path file = auth.privateKey();
    if (file == null) {
      throw new AuthException(
          "auth type smart needs privateKey: the path of a PKCS#8 PEM file; set auth.privateKey",
          false);
    }
    PrivateKey key = PemPrivateKey.read(file);
    JWSSigner signer = signer(algorithm, key, file);
    SmartAssertion grant =
        new SmartAssertion(
            auth.clientId(), tokenUrl.toString(), auth.scope(), auth.keyId(), algorithm, signer);
    grant.sign(Instant.EPOCH); // a key the JCA provider cannot use fails now, not later
    return grant;
  }

  private static JWSAlgorithm algorithm(String configured) {
    String name = configured == null ? DEFAULT_ALGORITHM : configured.toUpperCase(Locale.ROOT);
    if (name.equals("RS384")) {
      return JWSAlgorithm.RS384;
    }
    if (name.equals("ES384")) {
      return JWSAlgorithm.ES384;
    }
    throw new AuthException(
        "auth.algorithm '" + configured + "' is not supported; SMART Backend Services uses RS384"
            + " (default) or ES384",
        false);
  }

  private static JWSSigner signer(JWSAlgorithm algorithm, PrivateKey key, Path file) {
    if (algorithm.equals(JWSAlgorithm.RS384)) {
      if (!(key instanceof RSAPrivateKey rsa)) {
        throw new AuthException(
            "private key file " + file + " holds an " + key.getAlgorithm() + " key, but"
                + " auth.algorithm is RS384, which needs an RSA key; set auth.algorithm: ES384 for"
                + " an EC P-384 key",
            false);
      }
      int bits = rsa.getModulus().bitLength();
      if (bits < MIN_RSA_BITS) {
        throw new AuthException(
            "private key file " + file + " holds a " + bits + "-bit RSA key; RS384 needs at"
                + " least " + MIN_RSA_BITS + " bits",
            false);
      }
      return new RSASSASigner(rsa);
    }
    if (!(key instanceof ECPrivateKey ec)) {
      throw new AuthException(
          "private key file " + file + " holds an " + key.getAlgorithm() + " key, but"
              + " auth.algorithm is ES384, which needs an EC P-384 key; set auth.algorithm: RS384"
              + " for an RSA key",
          false);
    }
    Curve curve = Curve.forECParameterSpec(ec.getParams());
    if (!Curve.P_384.equals(curve)) {
      throw new AuthException(
          "private key file " + file + " holds an EC key on curve "
              + (curve == null ? "(unknown)" : curve.getName())
              + "; ES384 needs P-384 (secp384r1)",
          false);
    }
    try {
      return new ECDSASigner(ec);
    } catch (JOSEException unusable) {
      throw new AuthException(
          "private key file " + file + " holds an EC key that cannot sign ES384", false, unusable);
    }
  }

  @Override
  public Map<String, String> form(Instant now) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "client_credentials");
    if (scope != null && !scope.isBlank()) {
      form.put("scope", scope);
    }
    form.put("client_assertion_type", ASSERTION_TYPE);
    form.put("client_assertion", sign(now));
    return form;
  }

  /** A new signed client assertion, issued at {@code now}. */
  String sign(Instant now) {
    JWSHeader.Builder header = new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT);
    if (keyId != null && !keyId.isBlank()) {
      header.keyID(keyId);
    }
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(clientId)
            .subject(clientId)
            .audience(audience)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(LIFETIME)))
            .jwtID(UUID.randomUUID().toString())
            .build();
    SignedJWT jwt = new SignedJWT(header.build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException failed) {
      throw new AuthException(
          "cannot sign the SMART client assertion with " + algorithm + ": "
              + failed.getClass().getSimpleName() + "; check auth.privateKey and auth.algorithm",
          false,
          failed);
    }
    return jwt.serialize();
  }

  @Override
  public String clientAuthorization() {
    return null;
  }

  @Override
  public String clientHint() {
    return "check auth.clientId, that the server has the public key of auth.privateKey"
        + (keyId == null ? "" : " under kid '" + keyId + "'")
        + ", and auth.algorithm";
  }

  @Override
  public String mask(String text) {
    return text;
  }

  @Override
  public String describe() {
    return "smart client '" + clientId + "' (" + algorithm + ")";
  }

  @Override
  public String toString() {
    return "SmartAssertion[" + describe() + "]";
  }
}
