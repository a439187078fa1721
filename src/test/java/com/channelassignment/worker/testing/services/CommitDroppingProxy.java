package com.channelassignment.worker.testing.services;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy between a client and PostgreSQL that lets some COMMITs reach the server, waits until the server has
 * surely committed, and then closes both sockets without relaying the answer: the client cannot know whether its
 * transaction committed. The client must connect with {@code sslmode=disable} (and no GSS encryption), since the proxy
 * reads the frontend protocol.
 *
 * <p>pgjdbc sends its COMMIT with the extended protocol: a Parse message whose query text is {@code COMMIT}, and once
 * the driver has made that a named server-side statement, only a Bind naming it; the Sync that follows sends it on its
 * way. Both are recognized, as is a simple Query {@code COMMIT}. Nothing is dropped until {@link #dropEvery} arms the proxy, so connections opened at startup
 * (migrations, the pool filling) pass untouched.
 */
public final class CommitDroppingProxy extends LoopbackProxy {

    private static final int SSL_REQUEST = 80877103;
    private static final int GSS_ENCRYPTION_REQUEST = 80877104;

    private final Duration serverCommitAllowance;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger commitsSeen = new AtomicInteger();
    private final AtomicInteger commitsDropped = new AtomicInteger();
    private final AtomicInteger commitsAsParse = new AtomicInteger();
    private final AtomicInteger commitsAsBind = new AtomicInteger();
    private final AtomicInteger commitsAsQuery = new AtomicInteger();
    private int every;
    private int maximumDrops;
    private int commitsBeforeArming;

    private CommitDroppingProxy(String targetHost, int targetPort, Duration serverCommitAllowance) {
        super(targetHost, targetPort);
        this.serverCommitAllowance = serverCommitAllowance;
    }

    /**
     * Listens on a free loopback port and relays to {@code targetHost:targetPort}; a dropped commit's connection is
     * closed {@code serverCommitAllowance} after the COMMIT was forwarded.
     */
    public static CommitDroppingProxy start(String targetHost, int targetPort, Duration serverCommitAllowance) {
        CommitDroppingProxy proxy = new CommitDroppingProxy(targetHost, targetPort, serverCommitAllowance);
        proxy.startAccepting("commit-dropping-proxy-accept");
        return proxy;
    }

    /** From now on, every {@code every}-th COMMIT is dropped after forwarding, at most {@code maximumDrops} times. */
    public synchronized void dropEvery(int every, int maximumDrops) {
        if (every < 1) {
            throw new IllegalArgumentException("every must be at least 1");
        }
        this.every = every;
        this.maximumDrops = maximumDrops;
        this.commitsBeforeArming = commitsSeen.get();
    }

    /** COMMITs sent through the proxy so far, dropped or not. */
    public int commitsSeen() {
        return commitsSeen.get();
    }

    /** COMMITs that reached the server but whose answer never reached the client. */
    public int commitsDropped() {
        return commitsDropped.get();
    }

    /** How the COMMITs were recognized: as Parse, Bind of a prepared COMMIT, simple Query; and connections made. */
    public String describe() {
        return ("%d connections, %d COMMITs (%d as Parse, %d as Bind of a prepared COMMIT, %d as simple Query), %d "
                + "dropped after forwarding").formatted(connections.get(), commitsSeen.get(), commitsAsParse.get(),
                commitsAsBind.get(), commitsAsQuery.get(), commitsDropped.get());
    }

    @Override
    protected void relay(Socket client, Socket target) {
        connections.incrementAndGet();
        Connection connection = new Connection(client, target);
        daemon("commit-dropping-proxy-client", connection::relayClientToServer);
        daemon("commit-dropping-proxy-server", connection::relayServerToClient);
    }

    /** Whether the {@code commit}-th COMMIT seen is one to drop; counts it as dropped if so. */
    private synchronized boolean chooseToDrop(int commit) {
        int sinceArming = commit - commitsBeforeArming;
        if (every == 0 || sinceArming <= 0 || sinceArming % every != 0 || commitsDropped.get() >= maximumDrops) {
            return false;
        }
        commitsDropped.incrementAndGet();
        return true;
    }

    /** One proxied connection: the client's messages are parsed as they pass, the server's bytes copied. */
    private final class Connection {
        private final Socket client;
        private final Socket target;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private final Set<String> commitStatements = new HashSet<>();
        private boolean typedMessages;
        private boolean commitInGroup;
        private boolean parsedInGroup;
        // Set before a dropped COMMIT goes to the server: its answer, and anything after it, is swallowed.
        private volatile boolean swallowReplies;

        Connection(Socket client, Socket target) {
            this.client = client;
            this.target = target;
        }

        void relayClientToServer() {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = client.getInputStream(); OutputStream out = target.getOutputStream()) {
                for (int read; (read = in.read(buffer)) >= 0; ) {
                    pending.write(buffer, 0, read);
                    boolean drop = false;
                    for (int commit = nextCommit(); commit > 0; commit = nextCommit()) {
                        drop |= chooseToDrop(commit);
                    }
                    if (drop) {
                        swallowReplies = true;
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                    if (drop) {
                        // Long enough for the server to commit; then neither side hears from the other again.
                        Local.sleep(serverCommitAllowance);
                        break;
                    }
                }
            } catch (IOException e) {
                // The connection is gone.
            }
            closeQuietly(client);
            closeQuietly(target);
        }

        void relayServerToClient() {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = target.getInputStream(); OutputStream out = client.getOutputStream()) {
                for (int read; (read = in.read(buffer)) >= 0; ) {
                    if (swallowReplies) {
                        continue;
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // The connection is gone.
            }
            if (!swallowReplies) {
                closeQuietly(client);
                closeQuietly(target);
            }
        }

        /**
         * Consumes complete messages from the bytes received so far, up to and including the next COMMIT; returns
         * that COMMIT's number among all seen by the proxy, or 0 when no complete message left is a COMMIT.
         */
        private int nextCommit() {
            ByteBuffer bytes = ByteBuffer.wrap(pending.toByteArray());
            int commit = 0;
            while (commit == 0) {
                int start = bytes.position();
                int header = typedMessages ? 5 : 4;
                if (bytes.remaining() < header) {
                    break;
                }
                byte type = typedMessages ? bytes.get() : 0;
                int length = bytes.getInt();
                if (length < 4 || bytes.remaining() < length - 4) {
                    bytes.position(start);
                    break;
                }
                byte[] body = new byte[length - 4];
                bytes.get(body);
                if (!typedMessages) {
                    // The startup message, possibly after SSL or GSS encryption requests, has no type byte.
                    int code = body.length >= 4 ? ByteBuffer.wrap(body).getInt() : 0;
                    typedMessages = code != SSL_REQUEST && code != GSS_ENCRYPTION_REQUEST;
                } else if (isCommit(type, body)) {
                    commit = commitsSeen.incrementAndGet();
                }
            }
            byte[] rest = new byte[bytes.remaining()];
            bytes.get(rest);
            pending.reset();
            pending.writeBytes(rest);
            return commit;
        }

        /**
         * Whether this message completes a COMMIT: a simple Query {@code COMMIT}, or the Sync that ends an extended
         * query group holding a Parse of {@code COMMIT} or a Bind of a statement prepared from it. pgjdbc sends Parse
         * and Bind of the same COMMIT in one group when it first names the statement; that is one COMMIT.
         */
        private boolean isCommit(byte type, byte[] body) {
            if (type == 'P') {
                String statement = cString(body, 0);
                String query = cString(body, statement.length() + 1);
                if (isCommitText(query)) {
                    commitInGroup = true;
                    parsedInGroup = true;
                    if (!statement.isEmpty()) {
                        commitStatements.add(statement);
                    }
                } else {
                    // A statement name reused for other text no longer means COMMIT.
                    commitStatements.remove(statement);
                }
            } else if (type == 'B') {
                String portal = cString(body, 0);
                String statement = cString(body, portal.length() + 1);
                if (!statement.isEmpty() && commitStatements.contains(statement)) {
                    commitInGroup = true;
                }
            } else if (type == 'S') {
                boolean commit = commitInGroup;
                if (commit) {
                    (parsedInGroup ? commitsAsParse : commitsAsBind).incrementAndGet();
                }
                commitInGroup = false;
                parsedInGroup = false;
                return commit;
            } else if (type == 'Q' && isCommitText(cString(body, 0))) {
                commitsAsQuery.incrementAndGet();
                return true;
            }
            return false;
        }
    }

    private static boolean isCommitText(String query) {
        return query.trim().toUpperCase(Locale.ROOT).equals("COMMIT");
    }

    private static String cString(byte[] body, int from) {
        int end = from;
        while (end < body.length && body[end] != 0) {
            end++;
        }
        return new String(body, from, end - from, StandardCharsets.UTF_8);
    }
}
