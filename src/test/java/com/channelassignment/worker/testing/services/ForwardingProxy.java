package com.channelassignment.worker.testing.services;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/** A loopback port that forwards every connection to another, unchanged. */
public final class ForwardingProxy extends LoopbackProxy {

    private ForwardingProxy(int port, String targetHost, int targetPort) {
        super(port, targetHost, targetPort);
    }

    public static ForwardingProxy start(int port, String targetHost, int targetPort) {
        ForwardingProxy proxy = new ForwardingProxy(port, targetHost, targetPort);
        proxy.startAccepting("forward-" + port);
        return proxy;
    }

    @Override
    protected void relay(Socket client, Socket target) {
        daemon("forward-to-target", () -> copy(client, target));
        daemon("forward-to-client", () -> copy(target, client));
    }

    private static void copy(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // One side closed: the other goes with it.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }
}
