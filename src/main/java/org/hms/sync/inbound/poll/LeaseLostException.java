package org.hms.sync.inbound.poll;

/** A poller's lease on a connector ended (and another node may hold it): nothing was saved. */
public final class LeaseLostException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LeaseLostException(String connectorId, String node) {
    super(
        "node '" + node + "' no longer holds the poll lease of connector '" + connectorId
            + "': the batch was not saved and the next poll fetches it again; if this repeats,"
            + " make engine.lease longer than a poll takes");
  }
}
