-- The Kafka id of the topic whose offsets next_offset counts. A topic deleted and created again under the same name
-- starts its offsets at 0; progress recorded under the old id must not make the worker skip the new topic's records.
-- NULL: recorded before ids were kept; the next batch adopts its topic's id without resetting.
ALTER TABLE partition_progress ADD COLUMN topic_id text;
