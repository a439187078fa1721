package com.channelassignment.worker.testing.services;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP proxy on a loopback port: each accepted client gets its own connection to the target, and the subclass
 * relays between the two as the fault or delay it stands for requires.
 */
public abstract class LoopbackProxy implements AutoCloseable {

    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;

    protected LoopbackProxy(String targetHost, int targetPort) {
        this(0, targetHost, targetPort);
    }

    /** On {@code port}, or on a free one for 0. */
    protected LoopbackProxy(int port, String targetHost, int targetPort) {
        try {
            this.server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.targetHost = targetHost;
        this.targetPort = targetPort;
    }

    /** Called once the subclass is fully built, so no connection reaches a half-made proxy. */
    protected final void startAccepting(String threadName) {
        daemon(threadName, this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    /** Relays between a newly accepted client and its connection to the target, on threads of its own. */
    protected abstract void relay(Socket client, Socket target);

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket target = new Socket(targetHost, targetPort);
                client.setTcpNoDelay(true);
                target.setTcpNoDelay(true);
                relay(client, target);
            } catch (IOException e) {
                if (!server.isClosed()) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    protected static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Already closed by the other direction.
        }
    }

    protected static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }
}
