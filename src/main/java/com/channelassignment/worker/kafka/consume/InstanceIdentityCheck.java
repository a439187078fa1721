package com.channelassignment.worker.kafka.consume;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;

/**
 * Whether another process now holds one of this instance's static group memberships: a successor started under the
 * same {@code channel-assignment.instance-id} while this one was frozen or cut off.
 *
 * <p>Asked only once this instance's own consumers have left the group, so any member under its instance ids is
 * someone else.
 */
public class InstanceIdentityCheck {

    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);

    private final Map<String, Object> adminConfig;
    private final String groupId;
    private final Supplier<Set<String>> ownInstanceIds;

    public InstanceIdentityCheck(Map<String, Object> adminConfig, String groupId,
            Supplier<Set<String>> ownInstanceIds) {
        this.adminConfig = Map.copyOf(adminConfig);
        this.groupId = groupId;
        this.ownInstanceIds = ownInstanceIds;
    }

    /** True when a member of the group carries one of this instance's ids; false when none does or none is static. */
    public boolean takenByAnother() throws InterruptedException {
        Set<String> own = ownInstanceIds.get();
        if (own.isEmpty()) {
            return false;
        }
        try (Admin admin = Admin.create(adminConfig)) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(Set.of(groupId)).describedGroups()
                    .get(groupId).get(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return group.members().stream().map(MemberDescription::groupInstanceId)
                    .anyMatch(member -> member.filter(own::contains).isPresent());
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not describe consumer group " + groupId, e);
        }
    }
}
