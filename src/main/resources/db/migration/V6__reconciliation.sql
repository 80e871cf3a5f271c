-- Reconciliation: one row per run, its report as JSON text (no PHI: ids, statuses, times and
-- location codes only).
CREATE TABLE reconciliation (
    id           VARCHAR(36) PRIMARY KEY,
    connector_id VARCHAR(64) NOT NULL,
    from_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    to_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    repair       BOOLEAN     NOT NULL,
    trigger_kind VARCHAR(16) NOT NULL,
    status       VARCHAR(16) NOT NULL,
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at  TIMESTAMP WITH TIME ZONE,
    drift        INTEGER,
    repairs      INTEGER,
    report       VARCHAR(10000000),
    error        VARCHAR(2000),
    CONSTRAINT reconciliation_status_known CHECK (status IN ('running', 'completed', 'failed'))
);
CREATE INDEX reconciliation_started ON reconciliation (started_at);

-- The next scheduled reconciliation per connector; claiming it (moving next_run_at on) is what
-- makes one process of several run it.
CREATE TABLE reconcile_schedule (
    connector_id VARCHAR(64) PRIMARY KEY,
    next_run_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    claimed_by   VARCHAR(64)
);
