/**
 * Loading and validating the service configuration (a YAML file).
 *
 * <p>{@link org.hms.sync.config.ConfigLoader#load(java.nio.file.Path)} reads the file, substitutes
 * {@code ${ENV}} and {@code ${ENV:default}} references from the environment, binds it to immutable
 * records ({@link org.hms.sync.config.SyncConfig} and friends) and validates it once, at start-up.
 * Every problem found is reported together in one {@link org.hms.sync.config.ConfigException}, each
 * naming the exact key (for example {@code connectors[0].retry.initialBackoff}), what is wrong and
 * what to do. No record's {@code toString()} and no error message shows a secret.
 */
package org.hms.sync.config;
