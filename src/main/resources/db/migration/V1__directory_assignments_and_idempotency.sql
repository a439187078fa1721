-- The directory: owned by the systems that create identities, mailboxes and phone numbers. The worker reads these
-- tables and only ever updates identities.updated_at when an identity's links change.
CREATE TABLE identities (
    id              uuid        PRIMARY KEY,
    organization_id text        NOT NULL,
    agent_handle    text        NOT NULL CHECK (char_length(agent_handle) BETWEEN 1 AND 255 AND agent_handle NOT LIKE '@%'),
    status          text        NOT NULL CHECK (status IN ('active', 'paused', 'deleted')),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    -- Target of the composite foreign keys below, which keep links inside one organization.
    UNIQUE (id, organization_id)
);

-- A handle names one live identity per organization; deleted identities may leave their handle behind.
CREATE UNIQUE INDEX identities_live_handle ON identities (organization_id, agent_handle) WHERE status <> 'deleted';

CREATE TABLE mailboxes (
    id              uuid        PRIMARY KEY,
    organization_id text        NOT NULL,
    email_address   text        NOT NULL,
    display_name    text,
    deleted         boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    UNIQUE (id, organization_id)
);

CREATE TABLE phone_numbers (
    id              uuid        PRIMARY KEY,
    organization_id text        NOT NULL,
    number          text        NOT NULL,
    type            text        NOT NULL CHECK (type IN ('toll_free', 'local')),
    status          text        NOT NULL CHECK (status IN ('active', 'paused', 'released')),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    UNIQUE (id, organization_id)
);

-- The links the worker owns. The constraints make a double assignment impossible even for buggy code:
-- the primary key gives an identity at most one channel of each type, the unique key gives a channel at most one
-- identity, and the composite foreign keys keep identity and channel in the same organization.
CREATE TABLE channel_assignments (
    identity_id     uuid        NOT NULL,
    organization_id text        NOT NULL,
    channel_type    text        NOT NULL CHECK (channel_type IN ('MAILBOX', 'PHONE_NUMBER')),
    channel_id      uuid        NOT NULL,
    mailbox_id      uuid GENERATED ALWAYS AS (CASE WHEN channel_type = 'MAILBOX' THEN channel_id END) STORED,
    phone_number_id uuid GENERATED ALWAYS AS (CASE WHEN channel_type = 'PHONE_NUMBER' THEN channel_id END) STORED,
    assigned_at     timestamptz NOT NULL,
    PRIMARY KEY (identity_id, channel_type),
    UNIQUE (channel_type, channel_id),
    FOREIGN KEY (identity_id, organization_id) REFERENCES identities (id, organization_id),
    FOREIGN KEY (mailbox_id, organization_id) REFERENCES mailboxes (id, organization_id),
    FOREIGN KEY (phone_number_id, organization_id) REFERENCES phone_numbers (id, organization_id)
);

-- One row per request id ever applied, written in the same transaction as the request's effects.
CREATE TABLE processed_requests (
    request_id       text        PRIMARY KEY CHECK (char_length(request_id) BETWEEN 1 AND 128),
    fingerprint      bytea       NOT NULL,
    -- No index: a random UUID the worker generates and nothing looks up; a replay reuses the stored row.
    event_id         uuid        NOT NULL,
    status           text        NOT NULL CHECK (status IN ('ASSIGNED', 'UNASSIGNED', 'REJECTED')),
    rejection_code   text,
    correlation_id   text,
    -- The outcome exactly as published (Avro single-object encoding), republished verbatim on a replay.
    outcome          bytea       NOT NULL,
    source_topic     text        NOT NULL,
    source_partition integer     NOT NULL,
    source_offset    bigint      NOT NULL,
    processed_at     timestamptz NOT NULL
);

CREATE INDEX processed_requests_processed_at ON processed_requests (processed_at);

-- How far each input partition's committed batches reached. Every batch locks its partitions' rows first, which
-- serializes writers of a partition and lets a zombie's late batch see what the partition's new owner did.
CREATE TABLE partition_progress (
    topic            text        NOT NULL,
    partition_number integer     NOT NULL,
    next_offset      bigint      NOT NULL,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (topic, partition_number)
);
