package org.hms.sync.connector.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/** Key pairs made in the test, and PEM files of their private keys. */
final class TestKeys {
  private TestKeys() {}

  static KeyPair rsa(int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(bits);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException failure) {
      throw new IllegalStateException(failure);
    }
  }

  /** An EC key pair on the named curve, e.g. {@code secp384r1}. */
  static KeyPair ec(String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(curve));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException failure) {
      throw new IllegalStateException(failure);
    }
  }

  /** Writes the key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
  static Path pkcs8Pem(Path dir, String name, PrivateKey key) {
    return pem(dir, name, "PRIVATE KEY", key.getEncoded());
  }

  static Path pem(Path dir, String name, String label, byte[] der) {
    String base64 =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    String text = "-----BEGIN " + label + "-----\n" + base64 + "\n-----END " + label + "-----\n";
    try {
      return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
    } catch (IOException failure) {
      throw new UncheckedIOException(failure);
    }
  }
}
