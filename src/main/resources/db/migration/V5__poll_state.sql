-- Inbound polling: one row per connector with inbound.poll.
-- cursor moves only in the transaction that stores the polled items in the inbox.
-- locked_by / locked_until: the lease, so that one engine process polls a connector at a time.
-- failures / next_poll_at: a failing poll backs off; last_error never holds PHI.
CREATE TABLE poll_state (
    connector_id   VARCHAR(64)   PRIMARY KEY,
    cursor         VARCHAR(2000),
    locked_by      VARCHAR(255),
    locked_until   TIMESTAMP WITH TIME ZONE,
    last_polled_at TIMESTAMP WITH TIME ZONE,
    last_error     VARCHAR(2000),
    failures       INTEGER       NOT NULL DEFAULT 0,
    next_poll_at   TIMESTAMP WITH TIME ZONE
);
