package com.channelassignment.worker.domain;

import static com.channelassignment.worker.domain.AssignmentRequests.anAssignment;
import static com.channelassignment.worker.domain.AssignmentRequests.anUnassignment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class AssignmentRequestTest {

    private static final String REQUEST_ID = "req-42";
    private static final String CHANNEL_ID = "3f2b8c1e-9d4a-4e7b-8a61-0c5d2e7f9b34";

    @Test
    void sameContentHasSameFingerprint() {
        assertThat(assignment().build().contentFingerprint())
                .isEqualTo(assignment().build().contentFingerprint())
                .hasSize(32);
    }

    @Test
    void fingerprintIgnoresRequestedAt() {
        assertSameFingerprint(assignment(), assignment().requestedAt(Instant.parse("2030-12-31T23:59:59Z")));
    }

    @Test
    void fingerprintIgnoresCorrelationId() {
        assertSameFingerprint(assignment(), assignment().withCorrelationId("retry-2"));
        assertSameFingerprint(assignment().withCorrelationId("try-1"), assignment().withCorrelationId("try-2"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {CHANNEL_ID, "not-a-uuid"})
    void fingerprintOfUnassignmentIgnoresChannelId(String channelId) {
        assertSameFingerprint(unassignment(), unassignment().withChannelId(channelId));
    }

    @Test
    void handleWithLeadingAtSignHasSameFingerprintAsWithout() {
        assertSameFingerprint(assignment().forHandle("sales-bot"), assignment().forHandle("@sales-bot"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"3F2B8C1E-9D4A-4E7B-8A61-0C5D2E7F9B34", "3f2B8c1E-9d4A-4e7B-8a61-0C5d2E7f9B34"})
    void keepsAChannelIdWrittenWithCapitalsInLowerCase(String spelled) {
        AssignmentRequest request = assignment().withChannelId(spelled).build();

        assertThat(request.channelId()).isEqualTo(CHANNEL_ID);
        assertThat(request.echoed().channelId()).isEqualTo(CHANNEL_ID);
        assertSameFingerprint(assignment(), assignment().withChannelId(spelled));
    }

    @ParameterizedTest
    @ValueSource(strings = {"NOT-A-UUID", "3F2B8C1E-9D4A-4E7B-8A61-0C5D2E7F9B3", " 3F2B8C1E-9D4A-4E7B-8A61-0C5D2E7F9B34"})
    void leavesAChannelIdThatIsNoUuidAsItWasSent(String sent) {
        assertThat(assignment().withChannelId(sent).build().channelId()).isEqualTo(sent);
    }

    @Test
    void recognisesTheFingerprintRecordedForItsIdWrittenInCapitalsBeforeIdsWereCanonical() {
        AssignmentRequest request = assignment().build();
        byte[] recordedForCapitals = legacyFingerprint(request, CHANNEL_ID.toUpperCase(java.util.Locale.ROOT));

        assertThat(legacyFingerprint(request, CHANNEL_ID)).isEqualTo(request.contentFingerprint());
        assertThat(request.hasFingerprint(request.contentFingerprint())).isTrue();
        assertThat(request.hasFingerprint(recordedForCapitals)).isTrue();
        assertThat(request.hasFingerprint(legacyFingerprint(request, "3F2b8c1e-9d4a-4e7b-8a61-0c5d2e7f9b34")))
                .as("a mixed spelling is not tried").isFalse();
        assertThat(request.hasFingerprint(assignment().forHandle("support-bot").build().contentFingerprint()))
                .isFalse();
    }

    /** The fingerprint an earlier version recorded: over the channel id exactly as it was sent. */
    private static byte[] legacyFingerprint(AssignmentRequest request, String sentChannelId) {
        try {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {request.requestId(), request.organizationId(), request.normalizedHandle(),
                    request.operation().name(), request.channelType().name(), sentChannelId}) {
                byte[] bytes = part.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                digest.update((byte) 1);
                digest.update(java.nio.ByteBuffer.allocate(4).putInt(bytes.length).array());
                digest.update(bytes);
            }
            return digest.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void fingerprintDiffersWhenOrganizationDiffers() {
        assertDifferentFingerprint(assignment(), assignment().inOrganization("org-xyz789"));
        assertDifferentFingerprint(assignment(), assignment().withoutOrganization());
    }

    @Test
    void fingerprintDiffersWhenHandleDiffers() {
        assertDifferentFingerprint(assignment(), assignment().forHandle("support-bot"));
    }

    @Test
    void fingerprintDiffersWhenOperationDiffers() {
        assertDifferentFingerprint(assignment(), assignment().withOperation(Operation.UNASSIGN));
    }

    @Test
    void fingerprintDiffersWhenChannelTypeDiffers() {
        assertDifferentFingerprint(assignment(), assignment().ofType(ChannelType.PHONE_NUMBER));
        assertDifferentFingerprint(unassignment(), unassignment().ofType(ChannelType.PHONE_NUMBER));
    }

    @Test
    void fingerprintOfAssignmentDiffersWhenChannelIdDiffers() {
        assertDifferentFingerprint(assignment(), assignment().ofChannel(UUID.randomUUID()));
        assertDifferentFingerprint(assignment(), assignment().withChannelId(null));
        assertDifferentFingerprint(assignment().withChannelId(null), assignment().withChannelId(""));
    }

    @Test
    void fingerprintIsNotFooledByShiftingCharactersBetweenFields() {
        assertDifferentFingerprint(
                assignment().inOrganization("org-a").forHandle("bc"),
                assignment().inOrganization("org-ab").forHandle("c"));
        assertDifferentFingerprint(
                assignment().withRequestId("req-1").inOrganization("0rg"),
                assignment().withRequestId("req-10").inOrganization("rg"));
    }

    @Test
    void emptyOrganizationIsNotTheSameAsNone() {
        assertDifferentFingerprint(assignment().inOrganization(""), assignment().withoutOrganization());
    }

    @Test
    void normalizedHandleDropsOneLeadingAtSign() {
        assertThat(handle("sales-bot").normalizedHandle()).isEqualTo("sales-bot");
        assertThat(handle("@sales-bot").normalizedHandle()).isEqualTo("sales-bot");
        assertThat(handle("@@sales-bot").normalizedHandle()).isEqualTo("@sales-bot");
        assertThat(handle("sales@bot").normalizedHandle()).isEqualTo("sales@bot");
        assertThat(handle("@").normalizedHandle()).isEmpty();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "\t\n"})
    void hasNoOrganizationWhenItIsNullOrBlank(String organizationId) {
        assertThat(anAssignment().inOrganization(organizationId).build().hasOrganization()).isFalse();
    }

    @Test
    void echoesARequestWithinItsLimitsAsItIs() {
        AssignmentRequest request = assignment().withCorrelationId("workflow-3").build();

        assertThat(request.echoed()).isSameAs(request);
        assertThat(request.echoedRequestId()).isSameAs(request.requestId());
        assertThat(request.echoedCorrelationId()).isSameAs(request.correlationId());
    }

    @Test
    void echoCutsOverlongValuesAndReplacesNulOnce() {
        AssignmentRequest request = assignment().withRequestId("r".repeat(200)).withCorrelationId("a\u0000b").build();

        AssignmentRequest echoed = request.echoed();

        assertThat(echoed.requestId()).isEqualTo("r".repeat(AssignmentRules.MAX_REQUEST_ID_LENGTH) + "\u2026");
        assertThat(echoed.correlationId()).isEqualTo("a\uFFFDb");
        assertThat(echoed.channelId()).isEqualTo(CHANNEL_ID);
        assertThat(echoed.echoed()).isSameAs(echoed);
        assertThat(request.echoedRequestId()).isEqualTo(echoed.requestId());
        assertThat(request.echoedCorrelationId()).isEqualTo(echoed.correlationId());
    }

    @Test
    void buildingARequestWithInvalidContentDoesNotFail() {
        // The rules decide what an invalid request gets; the record must hold it to answer it.
        assertThatNoException().isThrownBy(() -> anAssignment()
                .withRequestId("")
                .withoutOrganization()
                .forHandle("")
                .withChannelId("1-2-3-4-5")
                .build()
                .contentFingerprint());
    }

    private static AssignmentRequests assignment() {
        return anAssignment().withRequestId(REQUEST_ID).withChannelId(CHANNEL_ID);
    }

    private static AssignmentRequests unassignment() {
        return anUnassignment().withRequestId(REQUEST_ID);
    }

    private static AssignmentRequest handle(String handle) {
        return anAssignment().forHandle(handle).build();
    }

    private static void assertSameFingerprint(AssignmentRequests one, AssignmentRequests other) {
        assertThat(one.build().contentFingerprint()).isEqualTo(other.build().contentFingerprint());
    }

    private static void assertDifferentFingerprint(AssignmentRequests one, AssignmentRequests other) {
        assertThat(one.build().contentFingerprint()).isNotEqualTo(other.build().contentFingerprint());
    }
}
