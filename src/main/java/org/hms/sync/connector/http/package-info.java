/**
 * The outbound HTTP client side that every connector type and the token endpoint share: {@link
 * org.hms.sync.connector.http.Http} builds a connector's JDK HTTP client (its TLS material from
 * {@link org.hms.sync.connector.http.Tls}) and reads answers up to a size limit ({@link
 * org.hms.sync.connector.http.AnswerTooLargeException} beyond it); {@link
 * org.hms.sync.connector.http.RetryAfter} reads a Retry-After header; {@link
 * org.hms.sync.connector.http.AnswerClass} is the one table of which statuses (and failures without
 * an answer) are a success, worth a retry, or permanent.
 *
 * <p>This package is the bottom layer of the connector packages: it depends on the configuration
 * and on nothing else under {@code org.hms.sync.connector}, so that {@code connector.auth}, the
 * seam in {@code connector} and the type packages can all use it. Not to be confused with {@code
 * org.hms.sync.http}, the service's own HTTP server.
 */
package org.hms.sync.connector.http;
