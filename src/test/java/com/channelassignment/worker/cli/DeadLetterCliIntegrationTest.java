package com.channelassignment.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.SpringWorkerHarness;
import com.channelassignment.worker.testing.services.TestServices;
import com.channelassignment.worker.domain.AssignmentRequests;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code dlt list} and {@code dlt replay}, run in-process against dead letters the running worker wrote. */
class DeadLetterCliIntegrationTest extends SpringWorkerHarness {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int PARTITIONS = 3;

    @Test
    void listsEachDeadLetterWithItsOriginalCoordinatesReasonAndTimeAndFiltersThem() {
        String organization = "org-dlt-" + UUID.randomUUID();
        Instant before = Instant.now().minusSeconds(1);
        sendRaw(organization, "not avro".getBytes(StandardCharsets.UTF_8));
        send(AssignmentRequests.anUnassignment().inOrganization(organization).buildWire());
        sendRaw(organization, "neither".getBytes(StandardCharsets.UTF_8));

        List<JsonNode> deadLetters = awaitDeadLetters(organization, 2);

        int partition = KafkaTestClient.partitionOf(organization.getBytes(StandardCharsets.UTF_8), PARTITIONS);
        JsonNode first = deadLetters.get(0);
        JsonNode second = deadLetters.get(1);
        assertThat(first.get("original_topic").asString()).isEqualTo(requestsTopic);
        assertThat(first.get("original_partition").asInt()).isEqualTo(partition);
        // The valid request between them was answered, not dead-lettered.
        assertThat(second.get("original_offset").asLong()).isEqualTo(first.get("original_offset").asLong() + 2);
        assertThat(first.get("exception").asString()).endsWith("UndecodableRecordException");
        assertThat(first.get("message").asString()).startsWith("not a channel assignment request");
        assertThat(Instant.parse(first.get("time").asString())).isBetween(before, Instant.now());
        assertThat(first.get("dead_letter").asString()).startsWith(deadLetterTopic + "-" + partition + "@");
        assertThat(first.get("value_size").asInt()).isEqualTo("not avro".length());

        long secondOffset = second.get("original_offset").asLong();
        CliRun one = dlt("list", "--partition", Integer.toString(partition), "--from-offset", Long.toString(secondOffset),
                "--to-offset", Long.toString(secondOffset));
        assertThat(one.status()).as(one.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
        assertThat(one.stdout()).hasLineCount(1)
                .contains("  " + requestsTopic + "-" + partition + "@" + secondOffset + "  UndecodableRecordException (")
                .contains("dlt=" + second.get("dead_letter").asString());
        assertThat(dlt("list", "--exception", "NoSuchException-" + organization).stdout()).isEmpty();
        assertThat(dlt("list", "--since", Instant.now().plusSeconds(3600).toString()).stdout()).isEmpty();
    }

    @Test
    void replaysAChosenDeadLetterOnceMarkedWithItsCoordinatesAndSkipsItTheSecondTime() {
        String organization = "org-dlt-" + UUID.randomUUID();
        byte[] value = ("garbage for " + organization).getBytes(StandardCharsets.UTF_8);
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".getBytes(StandardCharsets.UTF_8));
        kafka().send(new ProducerRecord<>(requestsTopic, null, organization.getBytes(StandardCharsets.UTF_8), value,
                headers));
        JsonNode deadLetter = awaitDeadLetters(organization, 1).get(0);
        String coordinates = deadLetter.get("dead_letter").asString();
        String[] selection = {"--partition", deadLetter.get("original_partition").asString(),
                "--from-offset", deadLetter.get("original_offset").asString(),
                "--to-offset", deadLetter.get("original_offset").asString()};

        CliRun dryRun = dlt("replay", selection, "--dry-run");

        assertThat(dryRun.status()).as(dryRun.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
        assertThat(dryRun.stdout()).isEqualTo("would replay " + coordinates + " (" + requestsTopic + "-"
                + deadLetter.get("original_partition").asString() + "@" + deadLetter.get("original_offset").asString()
                + ") to " + requestsTopic + "\n");
        assertThat(replaysOf(coordinates)).isEmpty();

        CliRun replay = dlt("replay", selection);

        assertThat(replay.status()).as(replay.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
        assertThat(replay.stdout()).startsWith("replayed " + coordinates + " (").contains(" as " + requestsTopic + "-");
        List<ConsumerRecord<byte[], byte[]>> replays = replaysOf(coordinates);
        assertThat(replays).hasSize(1);
        ConsumerRecord<byte[], byte[]> replayed = replays.get(0);
        assertThat(replayed.key()).isEqualTo(organization.getBytes(StandardCharsets.UTF_8));
        assertThat(replayed.value()).isEqualTo(value);
        assertThat(KafkaTestClient.header(replayed, "traceparent")).startsWith("00-4bf92f35");
        assertThat(replayed.headers()).noneMatch(header -> header.key().startsWith("kafka_dlt-")
                || header.key().equals("dlt-original-value-sha256"));

        // Still not a request: the worker dead-letters the replay too, and the new dead letter says what it replays.
        JsonNode again = awaitDeadLetters(organization, 2).get(1);
        assertThat(again.get("replay_of").asString()).isEqualTo(coordinates);

        CliRun twice = dlt("replay", selection);

        assertThat(twice.status()).as(twice.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
        assertThat(twice.stdout()).isEqualTo("skipped " + coordinates + " (" + requestsTopic + "-"
                + deadLetter.get("original_partition").asString() + "@" + deadLetter.get("original_offset").asString()
                + "): already replayed as " + replayed.topic() + "-" + replayed.partition() + "@" + replayed.offset()
                + "\n");
        assertThat(replaysOf(coordinates)).hasSize(1);
    }

    @Test
    void replayWithoutASelectionIsBadUsage() {
        CliRun replay = dlt("replay");

        assertThat(replay.status()).isEqualTo(ChannelAssignmentCli.BAD_USAGE);
        assertThat(replay.stderr()).contains("dlt replay needs a selection");
    }

    private void sendRaw(String key, byte[] value) {
        kafka().send(requestsTopic, key, value);
    }

    /** The organization's dead letters in the order they were written, once there are {@code count}. */
    private List<JsonNode> awaitDeadLetters(String organization, int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            CliRun list = dlt("list", "--json");
            assertThat(list.status()).as(list.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
            List<JsonNode> mine = new ArrayList<>();
            list.stdout().lines().map(JSON::readTree)
                    .filter(deadLetter -> organization.equals(deadLetter.get("key").asString()))
                    .forEach(mine::add);
            if (mine.size() >= count) {
                assertThat(mine).hasSize(count);
                return mine;
            }
            assertThat(System.nanoTime() - deadline).as("%d dead letters of %s within 60 s", count, organization)
                    .isNegative();
            sleep();
        }
    }

    private List<ConsumerRecord<byte[], byte[]>> replaysOf(String coordinates) {
        return kafka().readUntil(requestsTopic, true, records -> true, Duration.ofSeconds(30), Duration.ofSeconds(2))
                .stream().filter(record -> coordinates.equals(KafkaTestClient.header(record, "dlt-replay-of")))
                .toList();
    }

    private CliRun dlt(String command, String[] selection, String... more) {
        List<String> args = new ArrayList<>(Arrays.asList(selection));
        args.addAll(Arrays.asList(more));
        return dlt(command, args.toArray(String[]::new));
    }

    private CliRun dlt(String command, String... args) {
        List<String> all = new ArrayList<>(List.of("dlt", command));
        all.addAll(Arrays.asList(args));
        all.addAll(List.of("--bootstrap-servers", TestServices.kafkaBootstrapServers(), "--dlt-topic",
                deadLetterTopic));
        return CliRun.of(all);
    }

    private static void sleep() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
