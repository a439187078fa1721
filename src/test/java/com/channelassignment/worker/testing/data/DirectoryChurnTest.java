package com.channelassignment.worker.testing.data;

import com.channelassignment.worker.testing.model.StreamCheck;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.DirectoryChange;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The fault suite's directory changes must be ones the worker applies or ignores, and must end links. */
class DirectoryChurnTest {

    @Test
    void makesNoChangeTheWorkerWouldRefuseAndEndsLinksBesideTheRequestStream() {
        Workload workload = new Workload(1001, 300, 10);
        DirectoryChurn churn = new DirectoryChurn(1003, workload, 300, 10);
        StreamCheck check = new StreamCheck(workload.directory());

        // As the short kill-9 scenario sends them: StreamCheck fails on a change the worker would refuse.
        for (int i = 1; i <= 2_400; i++) {
            AssignmentRequest request = workload.next("r");
            check.sent(request);
            churn.noticed(request);
            if (i % 4 == 0) {
                DirectoryChurn.Step step = churn.next("d");
                step.changes().forEach((DirectoryChange change) -> check.sent(change));
                step.requests().forEach((AssignmentRequest assignment) -> check.sent(assignment));
            }
        }

        StreamCheck.Verdict verdict = check.verdict(Set.of());
        assertThat(verdict.directoryChangeDeliveries()).isEqualTo(600);
        assertThat(verdict.changesEndingLinks()).isGreaterThan(60);
        assertThat(verdict.directoryEntriesChanged()).isGreaterThan(200);
    }
}
