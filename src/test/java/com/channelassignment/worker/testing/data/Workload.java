package com.channelassignment.worker.testing.data;

import com.channelassignment.worker.application.DirectoryRows;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityStatus;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.Operation;
import com.channelassignment.worker.domain.PhoneNumber;
import com.channelassignment.worker.domain.PhoneNumberStatus;
import com.channelassignment.worker.domain.PhoneNumberType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * A seeded, reproducible directory and request stream with a realistic mix: mostly valid assignments and
 * unassignments (whose collisions give 409s), plus duplicates, reused keys, and each kind of rejection. The directory
 * holds one more, quiet organization that the stream never names, for a test's own requests beside the stream.
 */
public final class Workload {

    private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");

    private final Random random;
    private final int organizations;
    private final int perOrganization;
    private final List<AssignmentRequest> sent = new ArrayList<>();
    private final DirectoryRows directory;
    private long sequence;

    public Workload(long seed, int organizations, int perOrganization) {
        this.random = new Random(seed);
        this.organizations = organizations;
        this.perOrganization = perOrganization;
        this.directory = buildDirectory();
    }

    public DirectoryRows directory() {
        return directory;
    }

    public static String organization(int index) {
        return "org-%05d".formatted(index);
    }

    /**
     * The organization the stream never names: a test's requests for it, under any key and in any partition, cannot
     * race the stream's requests for the same identities.
     */
    public String quietOrganization() {
        return organization(organizations);
    }

    /** A valid assignment of agent {@code agent}'s own channel of {@code type} in the quiet organization. */
    public AssignmentRequest assignmentInQuietOrganization(String requestId, int agent, ChannelType type,
            Instant requestedAt) {
        return new AssignmentRequest(requestId, quietOrganization(), handle(agent), Operation.ASSIGN, type,
                channelUuid(organizations, agent, type).toString(), requestedAt, "quiet");
    }

    /** The next request to send, stamped now; {@code prefix} starts its request id. Duplicates are re-sends. */
    public AssignmentRequest next(String prefix) {
        double roll = random.nextDouble();
        if (roll < 0.03 && !sent.isEmpty()) {
            AssignmentRequest earlier = sent.get(random.nextInt(sent.size()));
            return restamp(earlier, earlier.requestId());
        }
        int org = random.nextInt(organizations);
        String requestId = prefix + "-" + (sequence++);
        AssignmentRequest request;
        if (roll < 0.04 && !sent.isEmpty()) {
            AssignmentRequest earlier = sent.get(random.nextInt(sent.size()));
            request = new AssignmentRequest(earlier.requestId(), earlier.organizationId(), earlier.agentHandle(),
                    earlier.operation() == Operation.ASSIGN ? Operation.UNASSIGN : Operation.ASSIGN,
                    earlier.channelType(), channelId(org, earlier.channelType()), Instant.now(), null);
        } else if (roll < 0.05) {
            request = request(requestId, null, handle(random.nextInt(perOrganization)), Operation.ASSIGN,
                    ChannelType.MAILBOX, channelId(org, ChannelType.MAILBOX));
        } else if (roll < 0.06) {
            request = request(requestId, organization(org), handle(random.nextInt(perOrganization)),
                    Operation.ASSIGN, ChannelType.MAILBOX, "not-a-uuid-" + sequence);
        } else if (roll < 0.07) {
            request = request(requestId, organization(org), "nobody-" + sequence, Operation.UNASSIGN,
                    ChannelType.PHONE_NUMBER, null);
        } else if (roll < 0.08) {
            int otherOrg = (org + 1 + random.nextInt(organizations - 1)) % organizations;
            request = request(requestId, organization(org), handle(random.nextInt(perOrganization)),
                    Operation.ASSIGN, ChannelType.MAILBOX, channelId(otherOrg, ChannelType.MAILBOX));
        } else {
            ChannelType type = random.nextBoolean() ? ChannelType.MAILBOX : ChannelType.PHONE_NUMBER;
            boolean assign = random.nextDouble() < 0.55;
            request = request(requestId, organization(org), handle(random.nextInt(perOrganization)),
                    assign ? Operation.ASSIGN : Operation.UNASSIGN, type, assign ? channelId(org, type) : null);
        }
        sent.add(request);
        return request;
    }

    /**
     * A request of organization {@code org} as an HTTP caller would make it: an organization always (the token's), no
     * re-sends; one in a hundred names an unknown handle, one in a hundred another organization's mailbox.
     */
    public synchronized AssignmentRequest callFor(int org, String requestId) {
        double roll = random.nextDouble();
        if (roll < 0.01) {
            return request(requestId, organization(org), "nobody-" + (sequence++), Operation.UNASSIGN,
                    ChannelType.PHONE_NUMBER, null);
        }
        if (roll < 0.02) {
            int otherOrg = (org + 1 + random.nextInt(organizations - 1)) % organizations;
            return request(requestId, organization(org), handle(random.nextInt(perOrganization)), Operation.ASSIGN,
                    ChannelType.MAILBOX, channelId(otherOrg, ChannelType.MAILBOX));
        }
        ChannelType type = random.nextBoolean() ? ChannelType.MAILBOX : ChannelType.PHONE_NUMBER;
        boolean assign = random.nextDouble() < 0.55;
        return request(requestId, organization(org), handle(random.nextInt(perOrganization)),
                assign ? Operation.ASSIGN : Operation.UNASSIGN, type, assign ? channelId(org, type) : null);
    }

    private AssignmentRequest request(String requestId, String organizationId, String handle, Operation operation,
            ChannelType type, String channelId) {
        return new AssignmentRequest(requestId, organizationId, handle, operation, type, channelId, Instant.now(),
                "bench");
    }

    private static AssignmentRequest restamp(AssignmentRequest request, String requestId) {
        return new AssignmentRequest(requestId, request.organizationId(), request.agentHandle(), request.operation(),
                request.channelType(), request.channelId(), Instant.now(), request.correlationId());
    }

    private String channelId(int org, ChannelType type) {
        return channelUuid(org, random.nextInt(perOrganization), type).toString();
    }

    static String handle(int index) {
        return "agent-" + index;
    }

    static UUID identityUuid(int org, int index) {
        return new UUID(0x1000_0000_0000_4000L | org, 0x8000_0000_0000_0000L | index);
    }

    static UUID channelUuid(int org, int index, ChannelType type) {
        long kind = type == ChannelType.MAILBOX ? 0x2000_0000_0000_4000L : 0x3000_0000_0000_4000L;
        return new UUID(kind | ((long) org << 16), 0x8000_0000_0000_0000L | index);
    }

    private DirectoryRows buildDirectory() {
        List<Identity> identities = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        for (int org = 0; org <= organizations; org++) {
            for (int i = 0; i < perOrganization; i++) {
                identities.add(new Identity(identityUuid(org, i), organization(org), handle(i),
                        i % 10 == 9 ? IdentityStatus.PAUSED : IdentityStatus.ACTIVE, CREATED, CREATED));
                channels.add(new Mailbox(channelUuid(org, i, ChannelType.MAILBOX), organization(org),
                        "agent-%d@org-%05d.example".formatted(i, org), null, i % 20 == 19, CREATED, CREATED));
                channels.add(new PhoneNumber(channelUuid(org, i, ChannelType.PHONE_NUMBER), organization(org),
                        "+1833%03d%04d".formatted(org % 1000, i), i % 2 == 0 ? PhoneNumberType.TOLL_FREE
                        : PhoneNumberType.LOCAL, i % 25 == 24 ? PhoneNumberStatus.RELEASED : PhoneNumberStatus.ACTIVE,
                        CREATED, CREATED));
            }
        }
        return new DirectoryRows(identities, channels, List.of());
    }
}
