-- Inbound conflicts waiting for a human: the EMR's appointment as it was when the conflict was
-- found and the external change, side by side. Resolving picks one (resolution emr|external).
CREATE TABLE review (
    id               VARCHAR(36)  PRIMARY KEY,
    inbox_item_id    VARCHAR(36)  NOT NULL,
    connector_id     VARCHAR(64)  NOT NULL,
    appointment_id   VARCHAR(36),
    emr_snapshot     VARCHAR(1000000),
    external_change  VARCHAR(100000) NOT NULL,
    change_index     INTEGER      NOT NULL DEFAULT 0,
    reason           VARCHAR(2000) NOT NULL,
    status           VARCHAR(16)  NOT NULL,
    resolution       VARCHAR(16),
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    resolved_at      TIMESTAMP WITH TIME ZONE,
    CONSTRAINT review_once_per_change UNIQUE (inbox_item_id, change_index),
    CONSTRAINT review_status_known CHECK (status IN ('open', 'resolved')),
    CONSTRAINT review_resolution_known CHECK (resolution IS NULL OR resolution IN ('emr', 'external'))
);
CREATE INDEX review_status ON review (status, created_at);
-- Inbound changes find the appointment by the connector's external id.
CREATE INDEX external_ref_external_id ON external_ref (connector_id, external_id);
