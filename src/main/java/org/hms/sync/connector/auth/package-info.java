/**
 * How connectors authenticate: the {@code Authorization} header of each request ({@link
 * org.hms.sync.connector.auth.Credentials}: none, bearer, basic, OAuth 2.0 client credentials,
 * SMART Backend Services). The TLS material of the connector's HTTP client (client certificate for
 * mutual TLS, trust store) is read by {@link org.hms.sync.connector.http.Tls}; tokens are fetched
 * with that same client.
 *
 * <p>Token kinds cache their token until shortly before it expires and share one token request
 * among concurrent callers. Nothing here logs, and no message or {@code toString} carries a secret,
 * password, client assertion or token. Only this package uses Nimbus JOSE+JWT; {@code
 * AuthArchitectureTest} keeps it so.
 */
package org.hms.sync.connector.auth;
