/**
 * The registry of connector types: {@link org.hms.sync.connector.types.ConnectorTypes} maps a
 * connector's {@code type} to the factory of its type package ({@code rest}, {@code iis-soap},
 * {@code fhir}, {@code graphql}).
 *
 * <p>It is the only package that knows every type package, so it sits above them: the type
 * packages depend on the seam in {@code org.hms.sync.connector}, never the other way round.
 */
package org.hms.sync.connector.types;
