package com.channelassignment.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelChange;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.DirectorySnapshot;
import com.channelassignment.worker.domain.EntryRef;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityDetail;
import com.channelassignment.worker.domain.Operation;
import com.channelassignment.worker.domain.Outcome;
import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.testing.data.DirectoryFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every channel type through every projection the contract and the domain make of it, so a new type that misses
 * one fails here instead of being dropped or written as another type; and the places a new type touches, found in
 * the code and held equal to the list in docs/design.md.
 */
class EveryChannelTypeTest {

    private static final String ORGANIZATION = "org-every-type";
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private static final Path MAIN = Path.of("src/main/java/com/channelassignment/worker");
    /** Names only a channel type's own code uses: its constants, records, tables and fields. */
    private static final Pattern PER_TYPE = Pattern.compile(
            "\\b(MAILBOX\\w*|PHONE_NUMBER\\w*|Mailbox\\w*|PhoneNumber\\w*|mailbox\\w*|phone_?number\\w*)\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern LISTED_FILE = Pattern.compile("`([\\w/]+\\.java)`");

    /** The test's own table of one channel of each type: a type without one does not compile. */
    private static Channel aChannelOf(ChannelType type) {
        return switch (type) {
            case MAILBOX -> DirectoryFixture.aMailbox(ORGANIZATION);
            case PHONE_NUMBER -> DirectoryFixture.aPhoneNumber(ORGANIZATION);
        };
    }

    private static List<Channel> aChannelOfEveryType() {
        return Arrays.stream(ChannelType.values()).map(EveryChannelTypeTest::aChannelOf).toList();
    }

    @Test
    void everyTypeIsADirectoryEntryAndHasAPlaceInTheIdentityDetail() {
        Identity identity = DirectoryFixture.anIdentity(ORGANIZATION, "every-type-bot");
        DirectorySnapshot snapshot = new DirectorySnapshot();
        for (Channel channel : aChannelOfEveryType()) {
            assertThat(channel.type().fieldName()).isNotBlank();
            assertThat(EntryRef.of(channel).channelType()).isEqualTo(channel.type());
            snapshot.withLink(identity, channel);
        }
        IdentityDetail detail = snapshot.detailOf(identity);
        for (ChannelType type : ChannelType.values()) {
            assertThat(detail.held(type)).as("%s in the identity detail", type).isPresent();
        }
    }

    @Test
    void everyTypeTravelsInRequestsOutcomeDetailsAndDirectoryChanges() {
        AvroContract contract = new AvroContract();
        Identity identity = DirectoryFixture.anIdentity(ORGANIZATION, "every-type-bot");
        List<Channel> channels = aChannelOfEveryType();
        for (Channel channel : channels) {
            AssignmentRequest request = new AssignmentRequest(UUID.randomUUID().toString(), ORGANIZATION,
                    "every-type-bot", Operation.ASSIGN, channel.type(), channel.id().toString(), NOW, null);
            assertThat(contract.decodeRequest(contract.encodeRequest(request)).channelType())
                    .isEqualTo(channel.type());

            ChannelChange change = new ChannelChange(UUID.randomUUID().toString(), 7, channel);
            assertThat(contract.decodeChange(contract.encodeChange(change))).isInstanceOfSatisfying(
                    ChannelChange.class, decoded -> assertThat(decoded.channel()).isEqualTo(channel));
        }
        Outcome outcome = new Outcome(UUID.randomUUID(), new AssignmentRequest("req-every-type", ORGANIZATION,
                "every-type-bot", Operation.ASSIGN, channels.get(0).type(), channels.get(0).id().toString(), NOW, null),
                OutcomeStatus.ASSIGNED, true, channels.get(0).id().toString(), null,
                new IdentityDetail(identity, channels), NOW);
        ChannelAssignmentOutcome decoded = contract.decodeOutcome(contract.encodeOutcome(outcome));
        Map<ChannelType, Map<String, Object>> details = AvroContract.channelDetails(decoded.getIdentity());
        for (Channel channel : channels) {
            assertThat(details.get(channel.type())).as("%s in the outcome's identity detail", channel.type())
                    .containsEntry("id", channel.id().toString())
                    .containsEntry("updated_at", channel.updatedAt().truncatedTo(ChronoUnit.MILLIS).toString());
        }
    }

    /**
     * The files that name a channel type's own constants, records, tables or fields are the places a new type
     * touches: docs/design.md lists them, and this keeps the list true both ways.
     */
    @Test
    void theDesignNotesListEveryFileThatKnowsAChannelType() throws IOException {
        Set<String> knowing = new TreeSet<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
                if (PER_TYPE.matcher(withoutComments(Files.readString(file))).find()) {
                    knowing.add(MAIN.relativize(file).toString().replace('\\', '/'));
                }
            }
        }
        assertThat(listedInDesignNotes()).isEqualTo(knowing);
    }

    private static Set<String> listedInDesignNotes() throws IOException {
        String design = Files.readString(Path.of("docs/design.md"));
        String section = design.substring(design.indexOf("## Adding a channel type"));
        int next = section.indexOf("\n## ", 1);
        section = next < 0 ? section : section.substring(0, next);
        Set<String> listed = new TreeSet<>();
        for (String line : section.lines().toList()) {
            if (!line.startsWith("- ")) {
                continue;
            }
            Matcher matcher = LISTED_FILE.matcher(line.substring(0, line.indexOf(':') < 0 ? line.length()
                    : line.indexOf(':')));
            while (matcher.find()) {
                listed.add(matcher.group(1));
            }
        }
        return listed;
    }

    /** The source without its comments; string literals, text blocks included, stay as they are. */
    private static String withoutComments(String source) {
        StringBuilder code = new StringBuilder();
        int i = 0;
        while (i < source.length()) {
            if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                code.append(source, i, end + 3);
                i = end + 3;
            } else if (source.charAt(i) == '"' || source.charAt(i) == '\'') {
                char quote = source.charAt(i);
                int end = i + 1;
                while (source.charAt(end) != quote) {
                    end += source.charAt(end) == '\\' ? 2 : 1;
                }
                code.append(source, i, end + 1);
                i = end + 1;
            } else if (source.startsWith("//", i)) {
                int end = source.indexOf('\n', i);
                i = end < 0 ? source.length() : end;
            } else if (source.startsWith("/*", i)) {
                i = source.indexOf("*/", i + 2) + 2;
            } else {
                code.append(source.charAt(i));
                i++;
            }
        }
        return code.toString();
    }
}
