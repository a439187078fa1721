package com.channelassignment.worker.faults;

import com.channelassignment.worker.contract.registry.SchemaRegistryClient;
import com.channelassignment.worker.contract.registry.SubjectNameStrategy;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.testing.services.SchemaRegistryProcess;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * The packaged worker as separate OS processes against a standalone broker and a PostgreSQL server this class owns,
 * with faults injected while a known request stream flows; in the scenarios that kill instances, directory changes
 * flow with it. Each scenario ends with the same figures and the same verdict: one committed outcome per delivery and
 * per link a directory change ended, none missing, none repeated, the database (links and directory) equal to the
 * reference model, and exactly the undecodable records dead-lettered. Short by default; {@code -Dfaults.long=true} for the long
 * form (docs/reliability.md).
 */
class WorkerFaultsIntegrationTest extends FaultSuiteServices {

    /**
     * The longest a partition may go without outcomes after each fault (docs/reliability.md, "Recovery"). Under the
     * consumer group protocol the group refuses a restarted static member its id until its killed incarnation's
     * session has expired, so there the bound is that session timeout and a pause between tries.
     */
    static final Duration KILL_AND_RESTART_BOUND = FaultRun.CLASSIC_PROTOCOL ? Duration.ofSeconds(10)
            : max(Duration.ofSeconds(10), FaultRun.SESSION_TIMEOUT.plusSeconds(2));
    /**
     * The session timeout (8 s under the classic protocol) when the lost instance had no transaction open; when it
     * had, the outcomes' readers wait for that transaction's timeout (10 s) and the broker's abort scan (1 s in the
     * suite) first.
     */
    static final Duration LOST_ONE_OF_TWO_BOUND = max(Duration.ofSeconds(15), FaultRun.SESSION_TIMEOUT.plusSeconds(7));
    /** As a lost instance's: the frozen one's partitions move when its session expires, or to its successor. */
    static final Duration FROZEN_AND_REPLACED_BOUND = LOST_ONE_OF_TWO_BOUND;
    static final Duration SIGTERM_ONE_OF_TWO_BOUND = Duration.ofSeconds(3);

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Test
    void resumesEveryPartitionWithinItsBoundAfterARestartAStopAndALoss() throws Exception {
        try (FaultRun run = FaultRun.begin("recovery", 5005, broker.bootstrapServers(), postgres.createDatabase(),
                SIZE)) {
            HttpCallers callers = run.httpCallers();
            run.fleet().start(2);
            run.startStream();
            callers.start(4, Duration.ofMillis(100));

            run.awaitProgress(20);
            run.randomPause(Duration.ZERO, Duration.ofSeconds(2));
            long killed = System.nanoTime();
            run.fleet().restart(run.fleet().killAny(run.random()));
            long ready = System.nanoTime();
            run.count("kill_9");
            run.count("restarts");
            // From the kill, the hole holds the restarted JVM's own start (about 11 s on a loaded 2-core machine), so
            // the bound is on the time from its readiness; the time from the kill is printed beside it.
            run.awaitHole("kill_9_and_restart", killed, Duration.ofMinutes(2));
            run.awaitHole("kill_9_and_restart_from_ready", ready, KILL_AND_RESTART_BOUND);

            run.awaitProgress(20);
            run.randomPause(Duration.ZERO, Duration.ofSeconds(2));
            long stopped = System.nanoTime();
            int exit = run.fleet().terminateAny(run.random(), Duration.ofSeconds(60));
            run.count("sigterm");
            run.awaitHole("sigterm_one_of_two", stopped, SIGTERM_ONE_OF_TWO_BOUND);
            org.assertj.core.api.Assertions.assertThat(exit).as("exit code after SIGTERM").isZero();

            run.fleet().start(1);
            run.awaitProgress(20);
            run.randomPause(Duration.ZERO, Duration.ofSeconds(2));
            long lost = System.nanoTime();
            run.fleet().killAny(run.random());
            run.count("kill_9_for_good");
            run.awaitHole("kill_9_one_of_two_for_good", lost, LOST_ONE_OF_TWO_BOUND);

            run.awaitProgress(20);
            callers.stop();
            callers.figures().forEach(run::figure);
            org.assertj.core.api.Assertions.assertThat(callers.unexpectedAnswers()).as("HTTP answers").isEmpty();
            org.assertj.core.api.Assertions.assertThat(callers.withoutADefinitiveAnswer())
                    .as("HTTP calls without a definitive answer after %s of retries", HttpCallers.GIVE_UP_AFTER)
                    .isZero();
            run.finish();
        }
    }

    /**
     * The Confluent wire format while the schema registry goes away, twice: the second time the worker is killed and
     * restarted while it is away, so the new process must look its writer and reader schemas up again and waits,
     * not ready, until the registry is back. Every delivery still gets exactly one outcome, and nothing valid is
     * dead-lettered.
     */
    @Test
    void answersEveryDeliveryExactlyOnceInTheConfluentFormatWhileTheSchemaRegistryRestarts() throws Exception {
        try (SchemaRegistryProcess registry = SchemaRegistryProcess.startFileBacked();
                FaultRun run = FaultRun.begin("registry", 10010, broker.bootstrapServers(), postgres.createDatabase(),
                        SIZE, List.of("--channel-assignment.wire-format=confluent",
                                "--channel-assignment.schema-registry.url=" + registry.confluentUrl(),
                                "--channel-assignment.schema-registry.auto-register=true"))) {
            Schema request = ChannelAssignmentRequest.getClassSchema();
            run.stream().confluentFramed(new SchemaRegistryClient(URI.create(registry.confluentUrl()),
                    Duration.ofSeconds(10), null, null).register(SubjectNameStrategy.TOPIC_RECORD.subject(
                            run.requestsTopic(), request.getFullName()), request.toString()).id());
            run.fleet().start(1);
            run.startStream();

            run.awaitProgress(20);
            registry.stop();
            run.count("registry_stops");
            run.randomPause(Duration.ofSeconds(3), Duration.ofSeconds(6));
            registry.start();

            run.awaitProgress(20);
            registry.stop();
            run.count("registry_stops");
            String killed = run.fleet().killAny(run.random());
            run.count("kill_9");
            // Back only after the new process has started (about 17 s here) and polled: its first batches find no
            // registry and are rolled back and retried; it is not ready, and so not restarted, until the registry is.
            Thread back = new Thread(() -> {
                FaultRun.sleep(Duration.ofSeconds(25));
                registry.start();
            }, "registry-back");
            back.start();
            run.fleet().restart(killed);
            run.count("restarts");
            back.join();

            run.awaitProgress(20);
            run.finish();
        }
    }


    @Test
    void answersEveryDeliveryAndEveryEndedLinkExactlyOnceWhileAWorkerIsKilledAndRestartedAtRandomMoments()
            throws Exception {
        try (FaultRun run = FaultRun.begin("kill-9", 1001, broker.bootstrapServers(), postgres.createDatabase(),
                SIZE)) {
            run.fleet().start(1);
            run.withDirectoryChanges();
            run.startStream();
            for (int i = 0; i < SIZE.kills(); i++) {
                run.awaitProgress(20);
                run.randomPause(Duration.ZERO, Duration.ofSeconds(3));
                long killed = System.nanoTime();
                // Restarted as the same instance (a pod's container restarting): it takes its partitions back. Alone,
                // it leaves a hole as long as its own start, so the bound is on the time from its readiness.
                run.fleet().restart(run.fleet().killAny(run.random()));
                long ready = System.nanoTime();
                run.count("kill_9");
                run.count("restarts");
                run.awaitHole("kill_9_and_restart_of_the_only_instance", killed, Duration.ofMinutes(2));
                run.awaitHole("restarted_instance_ready", ready, KILL_AND_RESTART_BOUND);
            }
            run.awaitProgress(20);
            run.finish();
        }
    }

    /**
     * A zombie with its identity reused: an instance frozen in the middle of a database transaction (its row locks
     * held, a Kafka transaction open) is replaced by a new process under the same instance id, as a scheduler does
     * for a pod on a node it cannot reach. The frozen one's session ends on the database's idle limit, its open
     * transaction is aborted by the successor's producers (or its timeout). When it comes back, its late writes are
     * fenced, and of the two processes under one identity one finds the other holding it and exits with status 75
     * (Kafka lets the last to join keep a static identity, and the resumed one rejoins at once): never both running
     * on, never a write twice.
     */
    @Test
    void answersEveryDeliveryExactlyOnceWhenASuccessorTakesTheIdentityOfAnInstanceFrozenMidTransaction()
            throws Exception {
        try (FaultRun run = FaultRun.begin("identity", 7007, broker.bootstrapServers(), postgres.createDatabase(),
                SIZE)) {
            run.fleet().start(2);
            run.withDirectoryChanges();
            run.startStream();

            run.awaitProgress(20);
            String frozen = run.fleet().pauseAnyWhen(run.random(), run::aWorkerIsStuckInADatabaseTransaction, 300);
            long frozenAt = System.nanoTime();
            run.count("sigstop_mid_database_transaction");
            run.fleet().startSuccessor(frozen);
            run.count("successor_under_the_same_identity");
            run.awaitHole("sigstop_mid_transaction", frozenAt, FROZEN_AND_REPLACED_BOUND);

            run.awaitProgress(50);
            WorkerFleet.GaveUp gaveUp = run.fleet().resumeUntilOneGivesUp(frozen, Duration.ofSeconds(90));
            run.figure("identity_given_up_by", gaveUp.which());
            run.figure("identity_given_up_exit_status", gaveUp.exitStatus());
            org.assertj.core.api.Assertions.assertThat(gaveUp.exitStatus())
                    .as("exit status of the process that gave the identity up").isEqualTo(75);

            run.awaitProgress(50);
            run.finish();
        }
    }

    @Test
    void answersEveryDeliveryAndEveryEndedLinkExactlyOnceWhileInstancesJoinDieAndComeBackFromAPauseAsZombies()
            throws Exception {
        try (FaultRun run = FaultRun.begin("group", 2002, broker.bootstrapServers(), postgres.createDatabase(),
                SIZE)) {
            List<String> zombies = new ArrayList<>();
            // Informational: a zombie paused between transactions has nothing to roll back when it resumes.
            run.figureAtEnd("zombie_transactions_rolled_back_after_sigcont", () -> zombies.stream().distinct()
                    .mapToLong(zombie -> run.fleet().linesInLog(zombie, "Transaction rolled back")).sum());
            run.fleet().start(2);
            run.withDirectoryChanges();
            run.startStream();
            for (int round = 0; round < SIZE.groupRounds(); round++) {
                run.awaitProgress(20);
                run.randomPause(Duration.ZERO, Duration.ofSeconds(2));
                String zombie = run.fleet().pauseAny(run.random());
                zombies.add(zombie);
                run.count("sigstop_beyond_session_timeout");
                long pausedAt = System.nanoTime();
                // While the zombie is frozen an instance joins; past the session timeout the group moves the
                // zombie's partitions to the others, and the stream must keep flowing there.
                run.fleet().start(1);
                run.count("instances_added");
                FaultRun.sleep(FaultRun.SESSION_TIMEOUT.plusSeconds(2)
                        .minusNanos(System.nanoTime() - pausedAt));
                run.awaitProgress(20);
                run.fleet().resume(zombie);

                run.awaitProgress(20);
                run.randomPause(Duration.ZERO, Duration.ofSeconds(2));
                run.fleet().killAny(run.random());
                run.count("kill_9");
            }
            run.awaitProgress(20);
            run.finish();
        }
    }

    @Test
    void answersEveryDeliveryExactlyOnceWhilePostgresqlIsStoppedAndStartedMidStream() throws Exception {
        try (FaultRun run = FaultRun.begin("postgres", 3003, broker.bootstrapServers(), postgres.createDatabase(),
                SIZE)) {
            run.fleet().start(SIZE.instances());
            run.startStream();
            for (int i = 0; i < SIZE.postgresStops(); i++) {
                run.awaitProgress(20);
                run.randomPause(Duration.ZERO, Duration.ofSeconds(2));
                run.log("stopping PostgreSQL");
                long stopped = System.nanoTime();
                postgres.stop();
                run.count("postgres_stops");
                run.randomPause(Duration.ofSeconds(5), Duration.ofSeconds(10));
                postgres.start();
                run.log("PostgreSQL up again after %.1f s".formatted((System.nanoTime() - stopped) / 1e9));
            }
            run.awaitProgress(20);
            run.finish();
        }
    }

    @Test
    void answersEveryDeliveryExactlyOnceWhileTheBrokerIsRestartedMidStream() throws Exception {
        try (FaultRun run = FaultRun.begin("broker", 4004, broker.bootstrapServers(), postgres.createDatabase(),
                SIZE)) {
            run.fleet().start(SIZE.instances());
            run.startStream();
            for (int i = 0; i < SIZE.brokerRestarts(); i++) {
                run.awaitProgress(20);
                run.randomPause(Duration.ZERO, Duration.ofSeconds(2));
                boolean hard = i % 2 == 0;
                run.log(hard ? "kill -9 of the broker" : "SIGTERM to the broker");
                long stopped = System.nanoTime();
                if (hard) {
                    broker.kill();
                    run.count("broker_kill_9");
                } else {
                    broker.stop();
                    run.count("broker_sigterm");
                }
                run.randomPause(Duration.ofSeconds(3), Duration.ofSeconds(6));
                broker.start();
                run.log("broker ready again after %.1f s".formatted((System.nanoTime() - stopped) / 1e9));
            }
            run.awaitProgress(20);
            run.finish();
        }
    }
}
