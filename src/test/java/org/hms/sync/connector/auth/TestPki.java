package org.hms.sync.connector.auth;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority made in the test: a CA, a server certificate for 127.0.0.1 and a
 * client certificate, all EC P-256, and the PKCS#12 or JKS stores that hold them.
 */
final class TestPki {
  /** The certificate and key of one party, with its chain up to (and including) the CA. */
  record Party(PrivateKey key, X509Certificate certificate, X509Certificate[] chain) {}

  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  final Party ca;
  final Party server;
  final Party client;

  TestPki(String name) {
    KeyPair caKeys = TestKeys.ec("secp256r1");
    X500Name caName = new X500Name("CN=" + name + " test CA");
    X509Certificate caCertificate =
        sign(caName, caKeys.getPublic(), caName, caKeys.getPrivate(), Role.CA);
    ca = new Party(caKeys.getPrivate(), caCertificate, new X509Certificate[] {caCertificate});
    server = issue(new X500Name("CN=127.0.0.1"), Role.SERVER);
    client = issue(new X500Name("CN=hms-sync-client"), Role.CLIENT);
  }

  private enum Role {
    CA,
    SERVER,
    CLIENT
  }

  private Party issue(X500Name subject, Role role) {
    KeyPair keys = TestKeys.ec("secp256r1");
    X509Certificate certificate =
        sign(
            subject,
            keys.getPublic(),
            new X500Name(ca.certificate().getSubjectX500Principal().getName()),
            ca.key(),
            role);
    return new Party(
        keys.getPrivate(), certificate, new X509Certificate[] {certificate, ca.certificate()});
  }

  /** A key store (PKCS12 or JKS) with the party's key and chain under alias {@code key}. */
  static KeyStore keyStore(Party party, String type, String password) {
    try {
      KeyStore store = KeyStore.getInstance(type);
      store.load(null, null);
      store.setKeyEntry("key", party.key(), password.toCharArray(), party.chain());
      return store;
    } catch (GeneralSecurityException | IOException failure) {
      throw new IllegalStateException(failure);
    }
  }

  /** A PKCS12 store that trusts these certificates. */
  static KeyStore trustStore(String password, Certificate... trusted) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int index = 0; index < trusted.length; index++) {
        store.setCertificateEntry("trusted-" + index, trusted[index]);
      }
      return store;
    } catch (GeneralSecurityException | IOException failure) {
      throw new IllegalStateException(failure);
    }
  }

  static Path write(KeyStore store, Path file, String password) {
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, password.toCharArray());
      return file;
    } catch (GeneralSecurityException | IOException failure) {
      throw new IllegalStateException(failure);
    }
  }

  private static X509Certificate sign(
      X500Name subject, PublicKey key, X500Name issuer, PrivateKey issuerKey, Role role) {
    // TLS peers check validity against the real time, not an injected clock
    Instant now = Instant.now();
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              issuer,
              BigInteger.valueOf(SERIAL.incrementAndGet()),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(1))),
              subject,
              key);
      builder.addExtension(
          Extension.basicConstraints, true, new BasicConstraints(role == Role.CA));
      switch (role) {
        case CA:
          builder.addExtension(
              Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
          break;
        case SERVER:
          builder.addExtension(
              Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
          builder.addExtension(
              Extension.extendedKeyUsage,
              false,
              new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
          builder.addExtension(
              Extension.subjectAlternativeName,
              false,
              new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
          break;
        case CLIENT:
          builder.addExtension(
              Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
          builder.addExtension(
              Extension.extendedKeyUsage,
              false,
              new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
          break;
      }
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey);
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (GeneralSecurityException | IOException | OperatorCreationException failure) {
      throw new IllegalStateException(failure);
    }
  }
}
