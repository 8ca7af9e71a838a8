package io.github.pooledtransport.core;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records every {@link TransportListener} event in arrival order: {@link #names()} for order checks, and the
 * arguments of the events whose arguments matter.
 */
final class RecordingListener implements TransportListener {

    record Connect(InetSocketAddress address, IOException error) {
    }

    record Closed(long connectionId, CloseReason reason) {
    }

    private final List<String> names = new CopyOnWriteArrayList<>();

    final List<ConnectionInfo> gotConns = new CopyOnWriteArrayList<>();

    final List<InetSocketAddress> connectStarts = new CopyOnWriteArrayList<>();

    final List<Connect> connectDones = new CopyOnWriteArrayList<>();

    final List<IOException> dnsErrors = new CopyOnWriteArrayList<>();

    final List<IOException> wroteRequestErrors = new CopyOnWriteArrayList<>();

    final List<Long> putIdle = new CopyOnWriteArrayList<>();

    final List<Closed> closed = new CopyOnWriteArrayList<>();

    /** @return the event names so far, in order */
    List<String> names() {
        return List.copyOf(this.names);
    }

    void clear() {
        this.names.clear();
        this.gotConns.clear();
        this.connectStarts.clear();
        this.connectDones.clear();
        this.dnsErrors.clear();
        this.wroteRequestErrors.clear();
        this.putIdle.clear();
        this.closed.clear();
    }

    @Override
    public void getConn(HostKey key) {
        this.names.add("getConn");
    }

    @Override
    public void gotConn(HostKey key, ConnectionInfo info) {
        this.gotConns.add(info);
        this.names.add("gotConn");
    }

    @Override
    public void dnsStart(String host) {
        this.names.add("dnsStart");
    }

    @Override
    public void dnsDone(String host, List<InetAddress> addresses, IOException error) {
        if (error != null) {
            this.dnsErrors.add(error);
        }
        this.names.add("dnsDone");
    }

    @Override
    public void connectStart(InetSocketAddress address) {
        this.connectStarts.add(address);
        this.names.add("connectStart");
    }

    @Override
    public void connectDone(InetSocketAddress address, IOException error) {
        this.connectDones.add(new Connect(address, error));
        this.names.add("connectDone");
    }

    @Override
    public void tlsHandshakeStart(HostKey key) {
        this.names.add("tlsHandshakeStart");
    }

    @Override
    public void tlsHandshakeDone(HostKey key, String protocol, String cipherSuite, IOException error) {
        this.names.add("tlsHandshakeDone");
    }

    @Override
    public void wroteHeaders(HostKey key) {
        this.names.add("wroteHeaders");
    }

    @Override
    public void wroteRequest(HostKey key, IOException error) {
        if (error != null) {
            this.wroteRequestErrors.add(error);
        }
        this.names.add("wroteRequest");
    }

    @Override
    public void gotFirstResponseByte(HostKey key) {
        this.names.add("gotFirstResponseByte");
    }

    @Override
    public void putIdleConn(HostKey key, long connectionId) {
        this.putIdle.add(connectionId);
        this.names.add("putIdleConn");
    }

    @Override
    public void connectionClosed(HostKey key, long connectionId, CloseReason reason) {
        this.closed.add(new Closed(connectionId, reason));
        this.names.add("connectionClosed");
    }
}
