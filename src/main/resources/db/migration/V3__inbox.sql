-- Inbound sync: every accepted webhook, written before the sender gets its 2xx.
-- One row per (connector, webhook-id): a redelivered webhook finds its row and is not applied twice.
-- headers and changes are JSON text; payload is the raw body (at most 256 KiB).
CREATE TABLE inbox (
    id              VARCHAR(36)  PRIMARY KEY,
    connector_id    VARCHAR(64)  NOT NULL,
    webhook_id      VARCHAR(255) NOT NULL,
    received_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    headers         VARCHAR(100000)  NOT NULL,
    payload         VARCHAR(1000000) NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    reason          VARCHAR(2000),
    attempts        INTEGER      NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP WITH TIME ZONE,
    changes         VARCHAR(1000000),
    processed_at    TIMESTAMP WITH TIME ZONE,
    CONSTRAINT inbox_once_per_webhook UNIQUE (connector_id, webhook_id),
    CONSTRAINT inbox_status_known
        CHECK (status IN ('received', 'applied', 'duplicate', 'rejected', 'conflict', 'failed'))
);
-- Listing newest first and the retention purge go by received_at.
CREATE INDEX inbox_received ON inbox (received_at);
-- The processor finds due work by (status, next_attempt_at).
CREATE INDEX inbox_due ON inbox (status, next_attempt_at);
