package com.channelassignment.worker.testing.data;

import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelChange;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.DirectoryChange;
import com.channelassignment.worker.domain.EntryRef;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityChange;
import com.channelassignment.worker.domain.IdentityStatus;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.Operation;
import com.channelassignment.worker.domain.PhoneNumber;
import com.channelassignment.worker.domain.PhoneNumberStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Seeded directory changes to send beside a {@link Workload}'s requests, on the same topic and keys: identities
 * paused, reactivated, deleted and replaced by a new identity under the same handle; mailboxes renamed and deleted;
 * phone numbers paused, reactivated and released; mailboxes provisioned and assigned right away; and repeated and
 * out-of-order changes. Many of these hit assigned entries, so their deletions end links.
 *
 * <p>Every change it makes is one the worker applies or ignores, never one it refuses (and dead-letters): only an
 * identity a handle currently names is changed, and a handle gets a new identity only once its old one is deleted.
 */
public final class DirectoryChurn {

    /** What to send next, in this order: the changes, then the requests that depend on them. */
    public record Step(List<DirectoryChange> changes, List<AssignmentRequest> requests) {
    }

    private final Random random;
    private final int organizations;
    private final int perOrganization;
    private final Map<EntryRef, Identity> identities = new HashMap<>();
    private final Map<EntryRef, Channel> channels = new HashMap<>();
    private final Map<EntryRef, Long> versions = new HashMap<>();
    private final UUID[][] identityOfHandle;
    private final List<List<UUID>> mailboxes = new ArrayList<>();
    private final List<List<UUID>> phoneNumbers = new ArrayList<>();
    private final List<DirectoryChange> sent = new ArrayList<>();
    // Entries that recent ASSIGN requests named: most of them hold a link, so changing them ends links.
    private final List<Target> recentlyAssigned = new ArrayList<>();
    private long sequence;

    private record Target(int org, int handle, EntryRef channel) {
    }

    public DirectoryChurn(long seed, Workload workload, int organizations, int perOrganization) {
        this.random = new Random(seed);
        this.organizations = organizations;
        this.perOrganization = perOrganization;
        this.identityOfHandle = new UUID[organizations][perOrganization];
        workload.directory().identities().forEach(identity -> identities.put(EntryRef.of(identity), identity));
        workload.directory().channels().forEach(channel -> channels.put(EntryRef.of(channel), channel));
        for (int org = 0; org < organizations; org++) {
            List<UUID> orgMailboxes = new ArrayList<>();
            List<UUID> orgNumbers = new ArrayList<>();
            for (int i = 0; i < perOrganization; i++) {
                identityOfHandle[org][i] = Workload.identityUuid(org, i);
                orgMailboxes.add(Workload.channelUuid(org, i, ChannelType.MAILBOX));
                orgNumbers.add(Workload.channelUuid(org, i, ChannelType.PHONE_NUMBER));
            }
            mailboxes.add(orgMailboxes);
            phoneNumbers.add(orgNumbers);
        }
    }

    /**
     * A request the stream sent: an assignment names an identity and a channel that probably hold a link now, which
     * makes them the likelier targets of the next changes. Without this the changes would mostly hit unlinked
     * entries, since a short stream links only a fraction of the directory.
     */
    public void noticed(AssignmentRequest request) {
        if (request.operation() != Operation.ASSIGN || request.organizationId() == null
                || request.channelId() == null || !request.agentHandle().startsWith("agent-")) {
            return;
        }
        for (int org = 0; org < organizations; org++) {
            if (Workload.organization(org).equals(request.organizationId())) {
                UUID channelId;
                try {
                    channelId = UUID.fromString(request.channelId());
                } catch (IllegalArgumentException notAUuid) {
                    return;
                }
                EntryRef channel = new EntryRef(request.organizationId(),
                        request.channelType() == ChannelType.MAILBOX ? EntryRef.Kind.MAILBOX
                                : EntryRef.Kind.PHONE_NUMBER, channelId);
                int handle = Integer.parseInt(request.agentHandle().substring("agent-".length()));
                if (channels.containsKey(channel) && handle < perOrganization) {
                    recentlyAssigned.add(new Target(org, handle, channel));
                    if (recentlyAssigned.size() > 200) {
                        recentlyAssigned.remove(0);
                    }
                }
                return;
            }
        }
    }

    /** The next step; {@code prefix} starts its change and request ids. */
    public Step next(String prefix) {
        Target target = !recentlyAssigned.isEmpty() && random.nextDouble() < 0.75
                ? recentlyAssigned.remove(random.nextInt(recentlyAssigned.size())) : null;
        int org = target == null ? random.nextInt(organizations) : target.org();
        double roll = random.nextDouble();
        if (roll < 0.08 && !sent.isEmpty()) {
            // The same change again, as an at-least-once source sends it: one change, its outcomes replayed.
            return new Step(List.of(sent.get(random.nextInt(sent.size()))), List.of());
        }
        if (roll < 0.16 && !sent.isEmpty()) {
            // An older state under a new change id, arriving late: its version is not above the held one.
            return new Step(List.of(copy(sent.get(random.nextInt(sent.size())), prefix + "-c" + (sequence++))),
                    List.of());
        }
        if (roll < 0.46) {
            int handle = target == null ? random.nextInt(perOrganization) : target.handle();
            return new Step(List.of(changeIdentity(org, handle, prefix)), List.of());
        }
        EntryRef channel = target == null ? null : target.channel();
        if (roll < 0.66) {
            return new Step(List.of(changeMailbox(org, channel, prefix)), List.of());
        }
        if (roll < 0.86) {
            return new Step(List.of(changePhoneNumber(org, channel, prefix)), List.of());
        }
        return provisionAndAssign(org, prefix);
    }

    private DirectoryChange changeIdentity(int org, int index, String prefix) {
        UUID id = identityOfHandle[org][index];
        Identity current = identities.get(new EntryRef(Workload.organization(org), EntryRef.Kind.IDENTITY, id));
        Instant now = now();
        Identity next;
        if (current.status() == IdentityStatus.DELETED) {
            // Deletion is for good: a new identity takes the handle its deleted predecessor left.
            UUID replacement = UUID.randomUUID();
            identityOfHandle[org][index] = replacement;
            next = new Identity(replacement, current.organizationId(), current.agentHandle(), IdentityStatus.ACTIVE,
                    now, now);
        } else {
            IdentityStatus status;
            if (current.status() == IdentityStatus.ACTIVE) {
                status = random.nextBoolean() ? IdentityStatus.DELETED : IdentityStatus.PAUSED;
            } else if (current.status() == IdentityStatus.PAUSED) {
                status = random.nextBoolean() ? IdentityStatus.ACTIVE : IdentityStatus.DELETED;
            } else {
                throw new IllegalStateException("unknown identity status " + current.status());
            }
            next = new Identity(id, current.organizationId(), current.agentHandle(), status, current.createdAt(),
                    now);
        }
        identities.put(EntryRef.of(next), next);
        return record(new IdentityChange(prefix + "-c" + (sequence++), nextVersion(EntryRef.of(next)), next));
    }

    /**
     * A live mailbox deleted (for good) or renamed; a deleted one can only be renamed. The {@code target}, when it is
     * a mailbox, else one of the organization's at random.
     */
    private DirectoryChange changeMailbox(int org, EntryRef target, String prefix) {
        List<UUID> pool = mailboxes.get(org);
        Mailbox current = (Mailbox) channels.get(target != null && target.kind() == EntryRef.Kind.MAILBOX ? target
                : new EntryRef(Workload.organization(org), EntryRef.Kind.MAILBOX,
                        pool.get(random.nextInt(pool.size()))));
        boolean delete = !current.deleted() && random.nextBoolean();
        Mailbox next = new Mailbox(current.id(), current.organizationId(), current.emailAddress(),
                delete ? current.displayName() : "renamed " + sequence, current.deleted() || delete,
                current.createdAt(), now());
        return record(new ChannelChange(prefix + "-c" + (sequence++), nextVersion(EntryRef.of(next)), next));
    }

    /**
     * An active number paused or released, a paused one reactivated or released; a released one is gone for good.
     * The {@code target}, when it is a phone number, else one of the organization's at random.
     */
    private DirectoryChange changePhoneNumber(int org, EntryRef target, String prefix) {
        List<UUID> pool = phoneNumbers.get(org);
        PhoneNumber current = (PhoneNumber) channels.get(target != null
                && target.kind() == EntryRef.Kind.PHONE_NUMBER ? target : new EntryRef(Workload.organization(org),
                EntryRef.Kind.PHONE_NUMBER, pool.get(random.nextInt(pool.size()))));
        PhoneNumberStatus status;
        if (current.status() == PhoneNumberStatus.RELEASED) {
            return changeMailbox(org, null, prefix);
        } else if (current.status() == PhoneNumberStatus.ACTIVE) {
            status = random.nextDouble() < 0.4 ? PhoneNumberStatus.RELEASED : PhoneNumberStatus.PAUSED;
        } else if (current.status() == PhoneNumberStatus.PAUSED) {
            status = random.nextBoolean() ? PhoneNumberStatus.ACTIVE : PhoneNumberStatus.RELEASED;
        } else {
            throw new IllegalStateException("unknown phone number status " + current.status());
        }
        PhoneNumber next = new PhoneNumber(current.id(), current.organizationId(), current.number(), current.numberType(),
                status, current.createdAt(), now());
        return record(new ChannelChange(prefix + "-c" + (sequence++), nextVersion(EntryRef.of(next)), next));
    }

    /** A new mailbox and, right behind it in the partition, a request assigning it: create, then use at once. */
    private Step provisionAndAssign(int org, String prefix) {
        Instant now = now();
        long n = sequence++;
        Mailbox mailbox = new Mailbox(UUID.randomUUID(), Workload.organization(org),
                "provisioned-%d@%s.example".formatted(n, Workload.organization(org)), null, false, now, now);
        mailboxes.get(org).add(mailbox.id());
        DirectoryChange created = record(new ChannelChange(prefix + "-c" + n, nextVersion(EntryRef.of(mailbox)),
                mailbox));
        AssignmentRequest assign = new AssignmentRequest(prefix + "-p" + n, mailbox.organizationId(),
                Workload.handle(random.nextInt(perOrganization)), Operation.ASSIGN, ChannelType.MAILBOX,
                mailbox.id().toString(), now, "churn");
        return new Step(List.of(created), List.of(assign));
    }

    private DirectoryChange record(DirectoryChange change) {
        if (change instanceof ChannelChange channelChange) {
            channels.put(change.entry(), channelChange.channel());
        }
        sent.add(change);
        return change;
    }

    private long nextVersion(EntryRef entry) {
        return versions.merge(entry, 1L, Long::sum);
    }

    private static DirectoryChange copy(DirectoryChange change, String changeId) {
        if (change instanceof IdentityChange identityChange) {
            return new IdentityChange(changeId, change.version(), identityChange.identity());
        }
        if (change instanceof ChannelChange channelChange) {
            return new ChannelChange(changeId, change.version(), channelChange.channel());
        }
        throw new IllegalStateException("unknown directory change " + change);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
