-- Every applied request and every link change paid for these two indexes, and nothing reads through them:
-- event ids are random UUIDs the worker generates (a replay reuses the stored row, never inserts a second one),
-- and links are looked up by identity (the primary key) or by (channel_type, channel_id) (the unique key).
ALTER TABLE processed_requests DROP CONSTRAINT processed_requests_event_id_key;
DROP INDEX channel_assignments_channel;
