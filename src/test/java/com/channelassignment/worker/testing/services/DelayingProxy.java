package com.channelassignment.worker.testing.services;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy that holds every chunk of bytes for half a round-trip time in each direction, in order, as the network
 * between a worker and a PostgreSQL on another host would. The benchmark puts it in front of the database to show what
 * a batch's round trips cost off this machine.
 */
public final class DelayingProxy extends LoopbackProxy {

    /** Bytes read from one side, due on the other side at a given time. */
    private record Chunk(long dueNanos, byte[] bytes) {
    }

    private static final Chunk END = new Chunk(0, new byte[0]);

    private final long oneWayNanos;

    private DelayingProxy(String targetHost, int targetPort, Duration roundTrip) {
        super(targetHost, targetPort);
        this.oneWayNanos = roundTrip.toNanos() / 2;
    }

    public static DelayingProxy start(String targetHost, int targetPort, Duration roundTrip) {
        DelayingProxy proxy = new DelayingProxy(targetHost, targetPort, roundTrip);
        proxy.startAccepting("delaying-proxy-accept");
        return proxy;
    }

    @Override
    protected void relay(Socket client, Socket target) {
        relayOneWay(client, target);
        relayOneWay(target, client);
    }

    /** One reader and one writer per direction: the reader stamps each chunk, the writer sends it when it is due. */
    private void relayOneWay(Socket from, Socket to) {
        BlockingQueue<Chunk> inFlight = new LinkedBlockingQueue<>();
        daemon("delaying-proxy-read", () -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream()) {
                for (int read; (read = in.read(buffer)) >= 0; ) {
                    inFlight.add(new Chunk(System.nanoTime() + oneWayNanos, Arrays.copyOf(buffer, read)));
                }
            } catch (IOException e) {
                // The connection is gone; the writer closes the other side.
            }
            inFlight.add(END);
        });
        daemon("delaying-proxy-write", () -> {
            try (OutputStream out = to.getOutputStream()) {
                for (Chunk chunk = inFlight.take(); chunk != END; chunk = inFlight.take()) {
                    for (long wait; (wait = chunk.dueNanos() - System.nanoTime()) > 0; ) {
                        LockSupport.parkNanos(wait);
                    }
                    out.write(chunk.bytes());
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // The connection is gone.
            }
            closeQuietly(from);
            closeQuietly(to);
        });
    }
}
