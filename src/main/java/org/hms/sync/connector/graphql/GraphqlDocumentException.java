package org.hms.sync.connector.graphql;

import org.hms.sync.SyncException;

/**
 * A route's GraphQL document cannot be used: unreadable, not valid GraphQL, or not exactly one
 * mutation. Thrown when the connector is created; the message names the file (and line and column
 * of a syntax error) and says how to fix it.
 */
public final class GraphqlDocumentException extends SyncException {
  GraphqlDocumentException(String message) {
    super(message);
  }

  GraphqlDocumentException(String message, Throwable cause) {
    super(message, cause);
  }
}
