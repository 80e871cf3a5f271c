-- Retention purges finished deliveries through delivery_due (status, next_attempt_at): a finished
-- delivery's next_attempt_at is its completion time. One index fewer to update per delivery.
UPDATE delivery SET next_attempt_at = completed_at
    WHERE status = 'discarded' AND completed_at IS NOT NULL;
DROP INDEX delivery_completed;
