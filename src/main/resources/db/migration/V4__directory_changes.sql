-- Directory changes reach the worker on the requests topic, each with the version of its entry after the change.
-- A row keeps the version of the change that last set it, so an older or repeated change is recognised and ignored.
-- 0: set before directory changes existed (or by a loader); the first change of version 1 or above replaces it.
ALTER TABLE identities ADD COLUMN version bigint NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN version bigint NOT NULL DEFAULT 0;
ALTER TABLE phone_numbers ADD COLUMN version bigint NOT NULL DEFAULT 0;

-- The outcomes a directory change caused (one per link its deletion ended), written in the transaction that applied
-- it. A change delivered again, after a Kafka transaction aborted, publishes these again instead of nothing: its
-- version no longer applies, and its outcomes must not be lost. Purged with the idempotency records.
CREATE TABLE directory_change_outcomes (
    organization_id  text        NOT NULL,
    change_id        text        NOT NULL CHECK (char_length(change_id) BETWEEN 1 AND 128),
    channel_type     text        NOT NULL,
    event_id         uuid        NOT NULL,
    outcome          bytea       NOT NULL,
    source_topic     text        NOT NULL,
    source_partition integer     NOT NULL,
    source_offset    bigint      NOT NULL,
    processed_at     timestamptz NOT NULL,
    PRIMARY KEY (organization_id, change_id, channel_type)
);

CREATE INDEX directory_change_outcomes_processed_at ON directory_change_outcomes (processed_at);
