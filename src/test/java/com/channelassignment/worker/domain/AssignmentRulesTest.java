package com.channelassignment.worker.domain;

import static com.channelassignment.worker.domain.AssignmentRequests.HANDLE;
import static com.channelassignment.worker.domain.AssignmentRequests.ORGANIZATION;
import static com.channelassignment.worker.domain.AssignmentRequests.anAssignment;
import static com.channelassignment.worker.domain.AssignmentRequests.anUnassignment;
import static com.channelassignment.worker.testing.data.DirectoryFixture.aDeletedMailbox;
import static com.channelassignment.worker.testing.data.DirectoryFixture.aMailbox;
import static com.channelassignment.worker.testing.data.DirectoryFixture.aPhoneNumber;
import static com.channelassignment.worker.testing.data.DirectoryFixture.anIdentity;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class AssignmentRulesTest {

    private static final String OTHER_ORGANIZATION = "org-xyz789";
    private static final String VALID_UUID = "3f2b8c1e-9d4a-4e7b-8a61-0c5d2e7f9b34";

    private final AssignmentRules rules = new AssignmentRules();
    private final Identity agent = anIdentity(ORGANIZATION, HANDLE);
    private final DirectorySnapshot directory = new DirectorySnapshot().with(agent);

    // Authorization

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "\t"})
    void rejectsRequestWithoutOrganization(String organizationId) {
        Mailbox mailbox = aMailbox(ORGANIZATION);
        directory.with(mailbox);

        Decision decision = decide(anAssignment().inOrganization(organizationId).ofChannel(mailbox));

        assertRejected(decision, RejectionCode.ORGANIZATION_MISSING, 403);
    }

    @Test
    void rejectsUnassignmentWithoutOrganization() {
        assertRejected(decide(anUnassignment().withoutOrganization()), RejectionCode.ORGANIZATION_MISSING, 403);
    }

    @Test
    void missingOrganizationWinsOverInvalidInput() {
        Decision decision = decide(anAssignment().withoutOrganization()
                .withRequestId("")
                .forHandle("@")
                .withChannelId("not-a-uuid")
                .withCorrelationId("c".repeat(256)));

        assertRejected(decision, RejectionCode.ORGANIZATION_MISSING, 403);
    }

    // Validation

    @Test
    void rejectsAssignmentWithoutChannelId() {
        Decision decision = decide(anAssignment().withChannelId(null));

        assertInvalid(decision, "channel_id is required to assign a channel");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "not-a-uuid",
            "1-2-3-4-5",
            VALID_UUID + "0",
            VALID_UUID + " ",
            " " + VALID_UUID,
            "{" + VALID_UUID + "}",
            "3f2b8c1e9d4a4e7b8a610c5d2e7f9b34",
            "3f2b8c1e-9d4a-4e7b-8a61-0c5d2e7f9b3g"})
    void rejectsAssignmentWhoseChannelIdIsNotACanonicalUuid(String channelId) {
        Decision decision = decide(anAssignment().withChannelId(channelId));

        assertInvalid(decision, "channel_id must be a UUID");
    }

    @Test
    void acceptsChannelIdInUpperCase() {
        Mailbox mailbox = aMailbox(ORGANIZATION);
        directory.with(mailbox);

        Decision decision = decide(anAssignment().withChannelId(mailbox.id().toString().toUpperCase()));

        assertThat(decision).isInstanceOf(Decision.Assigned.class);
    }

    @Test
    void rejectsEmptyHandle() {
        assertInvalid(decide(anAssignment().forHandle("")), "agent_handle must be 1 to 255 characters");
    }

    @Test
    void rejectsBareAtSignAsHandle() {
        assertInvalid(decide(anAssignment().forHandle("@")), "agent_handle must be 1 to 255 characters");
    }

    @Test
    void rejectsHandleLongerThan255Characters() {
        assertInvalid(decide(anAssignment().forHandle("h".repeat(256))),
                "agent_handle must be 1 to 255 characters");
    }

    @Test
    void rejectsNulCharactersInAnyStoredField() {
        String nul = "\u0000";
        assertInvalid(decide(anAssignment().forHandle("agent" + nul)), "fields must not contain NUL characters");
        assertInvalid(decide(anAssignment().inOrganization("org-" + nul)), "fields must not contain NUL characters");
        assertInvalid(decide(anAssignment().withCorrelationId(nul)), "fields must not contain NUL characters");
        assertInvalid(decide(anAssignment().withChannelId(nul)), "fields must not contain NUL characters");
        assertInvalid(decide(anAssignment().withRequestId("req-" + nul)),
                "request_id must be 1 to 128 characters, none of them NUL");
    }

    @Test
    void acceptsHandleOf255Characters() {
        assertAssignsToHandle("h".repeat(255), "h".repeat(255));
    }

    @Test
    void leadingAtSignDoesNotCountTowardsHandleLength() {
        assertAssignsToHandle("@" + "h".repeat(255), "h".repeat(255));
    }

    private void assertAssignsToHandle(String requestedHandle, String storedHandle) {
        Identity longHandled = anIdentity(ORGANIZATION, storedHandle);
        Mailbox mailbox = aMailbox(ORGANIZATION);
        directory.with(longHandled).with(mailbox);

        Decision decision = decide(anAssignment().forHandle(requestedHandle).ofChannel(mailbox));

        assertThat(decision).isEqualTo(new Decision.Assigned(longHandled, mailbox, true));
    }

    @Test
    void rejectsEmptyRequestId() {
        assertInvalid(decide(anAssignment().withRequestId("")), "request_id must be 1 to 128 characters, none of them NUL");
    }

    @Test
    void rejectsRequestIdLongerThan128Characters() {
        assertInvalid(decide(anAssignment().withRequestId("r".repeat(129))),
                "request_id must be 1 to 128 characters, none of them NUL");
    }

    @Test
    void acceptsRequestIdOf128Characters() {
        Mailbox mailbox = aMailbox(ORGANIZATION);
        directory.with(mailbox);

        Decision decision = decide(anAssignment().withRequestId("r".repeat(128)).ofChannel(mailbox));

        assertThat(decision).isInstanceOf(Decision.Assigned.class);
    }

    @Test
    void rejectsOrganizationIdLongerThan255Characters() {
        assertInvalid(decide(anAssignment().inOrganization("o".repeat(256))),
                "organization_id must be at most 255 characters");
    }

    @Test
    void acceptsOrganizationIdOf255Characters() {
        String organizationId = "o".repeat(255);
        Identity identity = anIdentity(organizationId, HANDLE);
        Mailbox mailbox = aMailbox(organizationId);
        directory.with(identity).with(mailbox);

        Decision decision = decide(anAssignment().inOrganization(organizationId).ofChannel(mailbox));

        assertThat(decision).isEqualTo(new Decision.Assigned(identity, mailbox, true));
    }

    @Test
    void rejectsCorrelationIdLongerThan255Characters() {
        assertInvalid(decide(anAssignment().withCorrelationId("c".repeat(256))),
                "correlation_id must be at most 255 characters");
    }

    @Test
    void acceptsCorrelationIdOf255Characters() {
        Mailbox mailbox = aMailbox(ORGANIZATION);
        directory.with(mailbox);

        Decision decision = decide(anAssignment().withCorrelationId("c".repeat(255)).ofChannel(mailbox));

        assertThat(decision).isInstanceOf(Decision.Assigned.class);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"not-a-uuid", "1-2-3-4-5"})
    void unassignmentIgnoresChannelId(String channelId) {
        Decision decision = decide(anUnassignment().withChannelId(channelId));

        assertThat(decision).isEqualTo(new Decision.Unassigned(agent, ChannelType.MAILBOX, null));
    }

    @Test
    void unassignmentValidatesTheRestOfTheRequest() {
        assertInvalid(decide(anUnassignment().forHandle("")), "agent_handle must be 1 to 255 characters");
    }

    private void assertInvalid(Decision decision, String message) {
        assertThat(assertRejected(decision, RejectionCode.INVALID_REQUEST, 422).message()).isEqualTo(message);
    }

    // Identity lookup

    @Test
    void rejectsUnknownHandle() {
        Decision decision = decide(anAssignment().forHandle("nobody"));

        Decision.Rejected rejected = assertRejected(decision, RejectionCode.IDENTITY_NOT_FOUND, 404);
        assertThat(rejected.message()).isEqualTo("no identity with handle 'nobody' in this organization");
    }

    @Test
    void rejectsHandleOfDeletedIdentity() {
        Identity deleted = anIdentity(ORGANIZATION, "retired-bot", IdentityStatus.DELETED);
        Mailbox mailbox = aMailbox(ORGANIZATION);
        directory.with(deleted).with(mailbox);

        Decision decision = decide(anAssignment().forHandle("retired-bot").ofChannel(mailbox));

        assertRejected(decision, RejectionCode.IDENTITY_NOT_FOUND, 404);
    }

    @Test
    void rejectsHandleThatExistsOnlyInAnotherOrganization() {
        directory.with(anIdentity(OTHER_ORGANIZATION, "their-bot"));

        Decision decision = decide(anAssignment().forHandle("their-bot"));

        assertRejected(decision, RejectionCode.IDENTITY_NOT_FOUND, 404);
    }

    @Test
    void rejectsUnassignmentForUnknownHandle() {
        assertRejected(decide(anUnassignment().forHandle("nobody")), RejectionCode.IDENTITY_NOT_FOUND, 404);
    }

    @Test
    void ignoresOneLeadingAtSignInHandle() {
        Mailbox mailbox = aMailbox(ORGANIZATION);
        directory.with(mailbox);

        Decision decision = decide(anAssignment().forHandle("@" + HANDLE).ofChannel(mailbox));

        assertThat(decision).isEqualTo(new Decision.Assigned(agent, mailbox, true));
    }

    @Test
    void ignoresOnlyOneLeadingAtSign() {
        Decision decision = decide(anAssignment().forHandle("@@" + HANDLE));

        Decision.Rejected rejected = assertRejected(decision, RejectionCode.IDENTITY_NOT_FOUND, 404);
        assertThat(rejected.message()).contains("'@" + HANDLE + "'");
    }

    @Test
    void pausedIdentityCanReceiveChannels() {
        Identity paused = anIdentity(ORGANIZATION, "paused-bot", IdentityStatus.PAUSED);
        Mailbox mailbox = aMailbox(ORGANIZATION);
        directory.with(paused).with(mailbox);

        Decision decision = decide(anAssignment().forHandle("paused-bot").ofChannel(mailbox));

        assertThat(decision).isEqualTo(new Decision.Assigned(paused, mailbox, true));
    }

    // Channel lookup

    @Test
    void assignsMailboxOfTheOrganization() {
        Mailbox mailbox = aMailbox(ORGANIZATION);
        directory.with(mailbox);

        Decision decision = decide(anAssignment().ofChannel(mailbox));

        assertThat(decision).isEqualTo(new Decision.Assigned(agent, mailbox, true));
        assertThat(decision.status()).isEqualTo(OutcomeStatus.ASSIGNED);
    }

    @Test
    void rejectsAssignmentOfUnknownMailbox() {
        UUID unknown = UUID.randomUUID();

        Decision decision = decide(anAssignment().ofChannel(unknown));

        Decision.Rejected rejected = assertRejected(decision, RejectionCode.CHANNEL_NOT_FOUND, 404);
        assertThat(rejected.message()).isEqualTo("no mailbox with id " + unknown + " in this organization");
    }

    @Test
    void rejectsAssignmentOfUnknownPhoneNumber() {
        UUID unknown = UUID.randomUUID();

        Decision decision = decide(anAssignment().ofType(ChannelType.PHONE_NUMBER).ofChannel(unknown));

        Decision.Rejected rejected = assertRejected(decision, RejectionCode.CHANNEL_NOT_FOUND, 404);
        assertThat(rejected.message()).isEqualTo("no phone number with id " + unknown + " in this organization");
    }

    @Test
    void rejectsAssignmentOfDeletedMailbox() {
        Mailbox deleted = aDeletedMailbox(ORGANIZATION);
        directory.with(deleted);

        assertRejected(decide(anAssignment().ofChannel(deleted)), RejectionCode.CHANNEL_NOT_FOUND, 404);
    }

    @Test
    void rejectsAssignmentOfReleasedPhoneNumber() {
        PhoneNumber released = aPhoneNumber(ORGANIZATION, PhoneNumberStatus.RELEASED);
        directory.with(released);

        assertRejected(decide(anAssignment().ofChannel(released)), RejectionCode.CHANNEL_NOT_FOUND, 404);
    }

    @Test
    void assignsPausedPhoneNumber() {
        PhoneNumber paused = aPhoneNumber(ORGANIZATION, PhoneNumberStatus.PAUSED);
        directory.with(paused);

        Decision decision = decide(anAssignment().ofChannel(paused));

        assertThat(decision).isEqualTo(new Decision.Assigned(agent, paused, true));
    }

    @Test
    void rejectsAssignmentOfAnotherOrganizationsMailbox() {
        assertLooksMissing(aMailbox(OTHER_ORGANIZATION));
    }

    @Test
    void rejectsAssignmentOfAnotherOrganizationsPhoneNumber() {
        assertLooksMissing(aPhoneNumber(OTHER_ORGANIZATION));
    }

    @Test
    void rejectsPhoneNumberIdSentAsMailbox() {
        PhoneNumber phoneNumber = aPhoneNumber(ORGANIZATION);
        directory.with(phoneNumber);

        Decision decision = decide(anAssignment().ofType(ChannelType.MAILBOX).ofChannel(phoneNumber.id()));

        assertRejected(decision, RejectionCode.CHANNEL_NOT_FOUND, 404);
    }

    /** Another organization's channel must not be told apart from a missing one: same code, same message. */
    private void assertLooksMissing(Channel foreign) {
        AssignmentRequest request = anAssignment().ofChannel(foreign).build();

        Decision foreignDecision = rules.decide(request, new DirectorySnapshot().with(agent).with(foreign));
        Decision missingDecision = rules.decide(request, new DirectorySnapshot().with(agent));

        assertRejected(foreignDecision, RejectionCode.CHANNEL_NOT_FOUND, 404);
        assertThat(foreignDecision).isEqualTo(missingDecision);
    }

    // Conflicts

    @Test
    void rejectsChannelHeldByAnotherIdentity() {
        Mailbox mailbox = aMailbox(ORGANIZATION);
        directory.withLink(anIdentity(ORGANIZATION, "other-bot"), mailbox);

        Decision decision = decide(anAssignment().ofChannel(mailbox));

        Decision.Rejected rejected = assertRejected(decision, RejectionCode.CHANNEL_ALREADY_ASSIGNED, 409);
        assertThat(rejected.message())
                .isEqualTo("mailbox " + mailbox.id() + " is already assigned to another identity");
    }

    @Test
    void rejectsAssignmentToIdentityHoldingAnotherChannelOfThatType() {
        Mailbox requested = aMailbox(ORGANIZATION);
        directory.with(requested).withLink(agent, aMailbox(ORGANIZATION));

        Decision decision = decide(anAssignment().ofChannel(requested));

        Decision.Rejected rejected = assertRejected(decision, RejectionCode.IDENTITY_CHANNEL_OCCUPIED, 409);
        assertThat(rejected.message())
                .isEqualTo("identity '" + HANDLE + "' already has a mailbox; unassign it first");
    }

    @Test
    void holdingAPhoneNumberDoesNotBlockAMailbox() {
        Mailbox mailbox = aMailbox(ORGANIZATION);
        directory.with(mailbox).withLink(agent, aPhoneNumber(ORGANIZATION));

        Decision decision = decide(anAssignment().ofChannel(mailbox));

        assertThat(decision).isEqualTo(new Decision.Assigned(agent, mailbox, true));
    }

    @Test
    void holdingAMailboxDoesNotBlockAPhoneNumber() {
        PhoneNumber phoneNumber = aPhoneNumber(ORGANIZATION);
        directory.with(phoneNumber).withLink(agent, aMailbox(ORGANIZATION));

        Decision decision = decide(anAssignment().ofChannel(phoneNumber));

        assertThat(decision).isEqualTo(new Decision.Assigned(agent, phoneNumber, true));
    }

    @ParameterizedTest
    @EnumSource(ChannelType.class)
    void reassigningTheHeldChannelChangesNothing(ChannelType type) {
        Channel held = type == ChannelType.MAILBOX ? aMailbox(ORGANIZATION) : aPhoneNumber(ORGANIZATION);
        directory.withLink(agent, held);

        Decision decision = decide(anAssignment().ofChannel(held));

        assertThat(decision).isEqualTo(new Decision.Assigned(agent, held, false));
    }

    // Unassignment

    @Test
    void unassigningWhenNothingIsHeldChangesNothing() {
        Decision decision = decide(anUnassignment());

        assertThat(decision).isEqualTo(new Decision.Unassigned(agent, ChannelType.MAILBOX, null));
        assertThat(((Decision.Unassigned) decision).changed()).isFalse();
        assertThat(decision.status()).isEqualTo(OutcomeStatus.UNASSIGNED);
    }

    @Test
    void unassigningReleasesTheHeldChannel() {
        Mailbox held = aMailbox(ORGANIZATION);
        directory.withLink(agent, held);

        Decision decision = decide(anUnassignment());

        assertThat(decision).isEqualTo(new Decision.Unassigned(agent, ChannelType.MAILBOX, held.id()));
        assertThat(((Decision.Unassigned) decision).changed()).isTrue();
    }

    @Test
    void unassigningReleasesOnlyTheRequestedType() {
        PhoneNumber phoneNumber = aPhoneNumber(ORGANIZATION);
        directory.withLink(agent, aMailbox(ORGANIZATION)).withLink(agent, phoneNumber);

        Decision decision = decide(anUnassignment().ofType(ChannelType.PHONE_NUMBER));

        assertThat(decision).isEqualTo(new Decision.Unassigned(agent, ChannelType.PHONE_NUMBER, phoneNumber.id()));
    }

    @Test
    void unassigningReleasesTheHeldChannelWhateverChannelIdSays() {
        Mailbox held = aMailbox(ORGANIZATION);
        directory.withLink(agent, held);

        Decision decision = decide(anUnassignment().ofChannel(UUID.randomUUID()));

        assertThat(decision).isEqualTo(new Decision.Unassigned(agent, ChannelType.MAILBOX, held.id()));
    }

    // Rule order

    @Test
    void invalidRequestWinsOverUnknownIdentity() {
        Decision decision = decide(anAssignment().forHandle("nobody").withChannelId("not-a-uuid"));

        assertRejected(decision, RejectionCode.INVALID_REQUEST, 422);
    }

    @Test
    void unknownIdentityWinsOverUnknownChannel() {
        Decision decision = decide(anAssignment().forHandle("nobody").ofChannel(UUID.randomUUID()));

        assertRejected(decision, RejectionCode.IDENTITY_NOT_FOUND, 404);
    }

    @Test
    void unknownChannelWinsOverOccupiedIdentity() {
        directory.withLink(agent, aMailbox(ORGANIZATION));

        Decision decision = decide(anAssignment().ofChannel(UUID.randomUUID()));

        assertRejected(decision, RejectionCode.CHANNEL_NOT_FOUND, 404);
    }

    @Test
    void deletedMailboxLooksMissingEvenWhileStillLinked() {
        Mailbox deleted = aDeletedMailbox(ORGANIZATION);
        directory.withLink(anIdentity(ORGANIZATION, "other-bot"), deleted);

        assertRejected(decide(anAssignment().ofChannel(deleted)), RejectionCode.CHANNEL_NOT_FOUND, 404);
    }

    @Test
    void channelHeldByAnotherIdentityWinsOverOccupiedIdentity() {
        Mailbox requested = aMailbox(ORGANIZATION);
        directory.withLink(anIdentity(ORGANIZATION, "other-bot"), requested)
                .withLink(agent, aMailbox(ORGANIZATION));

        Decision decision = decide(anAssignment().ofChannel(requested));

        assertRejected(decision, RejectionCode.CHANNEL_ALREADY_ASSIGNED, 409);
    }

    private Decision decide(AssignmentRequests request) {
        return rules.decide(request.build(), directory);
    }

    private static Decision.Rejected assertRejected(Decision decision, RejectionCode code, int httpStatus) {
        assertThat(decision).isInstanceOf(Decision.Rejected.class);
        assertThat(decision.status()).isEqualTo(OutcomeStatus.REJECTED);
        Decision.Rejected rejected = (Decision.Rejected) decision;
        assertThat(rejected.code()).isEqualTo(code);
        assertThat(rejected.code().httpStatus()).isEqualTo(httpStatus);
        return rejected;
    }
}
