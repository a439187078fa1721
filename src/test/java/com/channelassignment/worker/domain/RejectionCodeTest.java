package com.channelassignment.worker.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RejectionCodeTest {

    /** The HTTP API's status for each refusal; consumers switch on it, so a change is a contract change. */
    private static final Map<RejectionCode, Integer> HTTP_API_STATUS = Map.of(
            RejectionCode.ORGANIZATION_MISSING, 403,
            RejectionCode.INVALID_REQUEST, 422,
            RejectionCode.IDENTITY_NOT_FOUND, 404,
            RejectionCode.CHANNEL_NOT_FOUND, 404,
            RejectionCode.CHANNEL_ALREADY_ASSIGNED, 409,
            RejectionCode.IDENTITY_CHANNEL_OCCUPIED, 409,
            RejectionCode.IDEMPOTENCY_KEY_REUSED, 422);

    @ParameterizedTest
    @EnumSource(RejectionCode.class)
    void answersWithTheHttpApisStatus(RejectionCode code) {
        assertThat(HTTP_API_STATUS).containsKey(code);
        assertThat(code.httpStatus()).isEqualTo(HTTP_API_STATUS.get(code));
    }
}
