/**
 * The {@code graphql} connector type: one mutation document and one JSONata variables mapping per
 * event type, outcomes judged by the answer's {@code errors} and their {@code extensions.code}.
 *
 * <p>{@link org.hms.sync.connector.graphql.GraphqlConnector} is the connector; documents are parsed
 * with graphql-java at start-up. Only this package uses graphql-java; {@code
 * GraphqlArchitectureTest} keeps it so. User documentation: {@code docs/connectors/graphql.md}.
 */
package org.hms.sync.connector.graphql;
