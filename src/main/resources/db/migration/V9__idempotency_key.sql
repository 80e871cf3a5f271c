-- Idempotency-Key: one row per key a client sent with a writing /api request.
-- principal: who sent it (keys of different callers never meet).
-- request_hash: SHA-256 of method, path and body; the same key with another request is refused.
-- claim_token / locked_until: the request that runs under the key now, and until when its claim
-- holds (a node that died mid-request frees the key when it passes).
-- response_*: the answer, written in the same transaction as the change it reports; NULL while
-- the request runs. Rows are purged once expires_at has passed.
CREATE TABLE idempotency_key (
    principal        VARCHAR(64)  NOT NULL,
    idem_key         VARCHAR(255) NOT NULL,
    request_hash     VARCHAR(64)  NOT NULL,
    claim_token      VARCHAR(36),
    locked_until     TIMESTAMP WITH TIME ZONE,
    response_status  INTEGER,
    response_headers VARCHAR(2000),
    response_body    VARCHAR(1000000),
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (principal, idem_key)
);
CREATE INDEX idempotency_key_expiry ON idempotency_key (expires_at);
