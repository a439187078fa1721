package com.channelassignment.worker.contract.registry;

import java.util.Locale;

/**
 * Which registry subject a record's schema is registered under, as Confluent's serializers name them. The requests
 * topic carries two kinds of record, so the default one-schema-per-topic {@code TopicNameStrategy} cannot serve it.
 */
public enum SubjectNameStrategy {

    /** {@code <topic>-<record full name>}: each kind evolves on its own, and per topic (TopicRecordNameStrategy). */
    TOPIC_RECORD,

    /** {@code <record full name>}: one subject per kind, shared by every topic that carries it (RecordNameStrategy). */
    RECORD;

    public String subject(String topic, String recordFullName) {
        if (this == TOPIC_RECORD) {
            return topic + "-" + recordFullName;
        }
        if (this == RECORD) {
            return recordFullName;
        }
        throw new IllegalStateException("no subject for strategy " + this);
    }

    /** The setting's value, {@code topic-record} or {@code record}. */
    public String settingValue() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Confluent's serializer class for the strategy, to name in a producer's {@code value.subject.name.strategy}. */
    public String confluentClassName() {
        if (this == TOPIC_RECORD) {
            return "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy";
        }
        if (this == RECORD) {
            return "io.confluent.kafka.serializers.subject.RecordNameStrategy";
        }
        throw new IllegalStateException("no class for strategy " + this);
    }
}
