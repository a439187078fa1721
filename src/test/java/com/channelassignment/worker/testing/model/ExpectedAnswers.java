package com.channelassignment.worker.testing.model;

import com.channelassignment.worker.domain.Decision;

/** What the HTTP API answers for a decision of the rules: the status a call must get. */
public final class ExpectedAnswers {

    private ExpectedAnswers() {
    }

    public static int httpStatusOf(Decision decision) {
        if (decision instanceof Decision.Assigned) {
            return 200;
        }
        if (decision instanceof Decision.Unassigned) {
            return 204;
        }
        if (decision instanceof Decision.Rejected rejected) {
            return rejected.code().httpStatus();
        }
        throw new IllegalStateException("unknown decision " + decision);
    }
}
