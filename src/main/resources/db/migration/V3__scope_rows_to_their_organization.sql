-- Every row knows its organization, and every key names it first, so one organization's rows can live together on
-- one node of a PostgreSQL distributed by organization_id (Citus and the like). partition_progress is the exception:
-- it is per Kafka partition, not per organization (docs/scaling.md).

-- Idempotency records are keyed by (organization, request_id): two organizations that pick the same key make two
-- independent requests. Existing records take the organization from the outcome they stored, read here straight from
-- its Avro single-object encoding: 2 marker bytes, an 8-byte schema fingerprint, then the fields event_id,
-- request_id, correlation_id (union) and organization_id (union), in the order the outcome schema has always had.
-- A record of a request without organization keeps '' and is never looked up again: such requests are no longer
-- recorded.
CREATE FUNCTION pg_temp.avro_long(bytes bytea, INOUT pos integer, OUT value bigint) LANGUAGE plpgsql AS $$
DECLARE
    b integer;
    shift integer := 0;
    n bigint := 0;
BEGIN
    LOOP
        b := get_byte(bytes, pos);
        pos := pos + 1;
        n := n | ((b & 127)::bigint << shift);
        EXIT WHEN b & 128 = 0;
        shift := shift + 7;
    END LOOP;
    value := (n >> 1) # (-(n & 1));
END $$;

CREATE FUNCTION pg_temp.outcome_organization(outcome bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    pos integer := 10;
    length bigint;
    branch bigint;
BEGIN
    SELECT r.pos, r.value INTO pos, length FROM pg_temp.avro_long(outcome, pos) r;   -- event_id
    pos := pos + length;
    SELECT r.pos, r.value INTO pos, length FROM pg_temp.avro_long(outcome, pos) r;   -- request_id
    pos := pos + length;
    SELECT r.pos, r.value INTO pos, branch FROM pg_temp.avro_long(outcome, pos) r;   -- correlation_id
    IF branch = 1 THEN
        SELECT r.pos, r.value INTO pos, length FROM pg_temp.avro_long(outcome, pos) r;
        pos := pos + length;
    END IF;
    SELECT r.pos, r.value INTO pos, branch FROM pg_temp.avro_long(outcome, pos) r;   -- organization_id
    IF branch = 0 THEN
        RETURN NULL;
    END IF;
    SELECT r.pos, r.value INTO pos, length FROM pg_temp.avro_long(outcome, pos) r;
    RETURN convert_from(substring(outcome FROM pos + 1 FOR length::integer), 'UTF8');
END $$;

ALTER TABLE processed_requests ADD COLUMN organization_id text;
UPDATE processed_requests SET organization_id = coalesce(pg_temp.outcome_organization(outcome), '');
ALTER TABLE processed_requests ALTER COLUMN organization_id SET NOT NULL;
ALTER TABLE processed_requests DROP CONSTRAINT processed_requests_pkey;
ALTER TABLE processed_requests ADD PRIMARY KEY (organization_id, request_id);

-- The directory: keys and the links' foreign keys lead with the organization.
ALTER TABLE channel_assignments DROP CONSTRAINT channel_assignments_identity_id_organization_id_fkey,
                                DROP CONSTRAINT channel_assignments_mailbox_id_organization_id_fkey,
                                DROP CONSTRAINT channel_assignments_phone_number_id_organization_id_fkey,
                                DROP CONSTRAINT channel_assignments_pkey,
                                DROP CONSTRAINT channel_assignments_channel_type_channel_id_key;

ALTER TABLE identities DROP CONSTRAINT identities_id_organization_id_key, DROP CONSTRAINT identities_pkey,
                       ADD PRIMARY KEY (organization_id, id);
ALTER TABLE mailboxes DROP CONSTRAINT mailboxes_id_organization_id_key, DROP CONSTRAINT mailboxes_pkey,
                      ADD PRIMARY KEY (organization_id, id);
ALTER TABLE phone_numbers DROP CONSTRAINT phone_numbers_id_organization_id_key, DROP CONSTRAINT phone_numbers_pkey,
                          ADD PRIMARY KEY (organization_id, id);

-- An identity holds at most one channel of each type, and a channel is held by at most one identity; a channel id
-- names a channel only within its organization.
ALTER TABLE channel_assignments
    ADD PRIMARY KEY (organization_id, identity_id, channel_type),
    ADD UNIQUE (organization_id, channel_type, channel_id),
    ADD FOREIGN KEY (organization_id, identity_id) REFERENCES identities (organization_id, id),
    ADD FOREIGN KEY (organization_id, mailbox_id) REFERENCES mailboxes (organization_id, id),
    ADD FOREIGN KEY (organization_id, phone_number_id) REFERENCES phone_numbers (organization_id, id);
