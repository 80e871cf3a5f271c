package org.hms.sync.connector.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/** Reads an unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY}) in PEM, RSA or EC. */
final class PemPrivateKey {
  private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String END = "-----END PRIVATE KEY-----";
  private static final String CONVERT =
      "convert it with: openssl pkcs8 -topk8 -nocrypt -in old.pem -out key.pem";

  private PemPrivateKey() {}

  /**
   * @throws AuthException (not retryable) when the file is missing, unreadable or not such a key;
   *     the message names the file, never its content
   */
  static PrivateKey read(Path file) {
    String text;
    try {
      // ISO-8859-1 reads any bytes, so a binary (DER) file gets the "no PEM" message below
      text = Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException missing) {
      throw new AuthException(
          "private key file " + file + " does not exist; check auth.privateKey", false);
    } catch (IOException unreadable) {
      throw new AuthException(
          "private key file " + file + " cannot be read (" + unreadable.getClass().getSimpleName()
              + "); check auth.privateKey and the file's permissions",
          false,
          unreadable);
    }
    if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
      throw new AuthException(
          "private key file " + file + " is encrypted; the service needs an unencrypted PKCS#8"
              + " key (keep the file readable only by the service): " + CONVERT,
          false);
    }
    if (text.contains("-----BEGIN RSA PRIVATE KEY-----")
        || text.contains("-----BEGIN EC PRIVATE KEY-----")) {
      throw new AuthException(
          "private key file " + file + " is in the PKCS#1/SEC1 format; the service reads PKCS#8"
              + " (BEGIN PRIVATE KEY): " + CONVERT,
          false);
    }
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END, Math.max(begin, 0));
    if (begin < 0 || end < 0) {
      throw new AuthException(
          "private key file " + file + " holds no PEM block '" + BEGIN + "'; check auth.privateKey",
          false);
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(text.substring(begin + BEGIN.length(), end));
    } catch (IllegalArgumentException malformed) {
      throw new AuthException(
          "private key file " + file + " has a PEM block that is not valid Base64", false);
    }
    for (String algorithm : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException notThisKind) {
        // try the next kind
      }
    }
    throw new AuthException(
        "private key file " + file + " holds no RSA or EC private key that can be read; SMART"
            + " Backend Services needs RSA (RS384) or EC P-384 (ES384)",
        false);
  }
}
