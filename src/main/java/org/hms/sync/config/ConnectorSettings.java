package org.hms.sync.config;

/**
 * The keys only one connector type understands (the {@code iis}, {@code fhir} and {@code graphql}
 * sections), bound and validated with the rest of the file. Each type reads its own record with
 * {@link ConnectorConfig#settings(Class)}.
 */
public interface ConnectorSettings {}
