package io.github.pooledtransport.spring.observation;

import java.net.InetSocketAddress;

import io.micrometer.observation.Observation;

import io.github.pooledtransport.core.ConnectionInfo;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.Request;

/**
 * What an observation of the pool's work for a call knows: the step, the host key, the call's request and, once
 * it ended, the connection it got or made.
 */
public class TransportConnectionObservationContext extends Observation.Context {

    /** The pool's step for the call. */
    public enum Step {

        /** Getting a connection ({@link TransportObservationDocumentation#CONNECTION_ACQUIRE}). */
        ACQUIRE,

        /** Dialing one ({@link TransportObservationDocumentation#CONNECTION_DIAL}). */
        DIAL
    }

    private final Step step;

    private final HostKey hostKey;

    private final Request request;

    private volatile ConnectionInfo connection;

    private volatile long connectionId = -1;

    private volatile InetSocketAddress remoteAddress;

    /**
     * @param step the pool's step
     * @param hostKey the host key the call goes to
     * @param request the call's request
     */
    public TransportConnectionObservationContext(Step step, HostKey hostKey, Request request) {
        this.step = step;
        this.hostKey = hostKey;
        this.request = request;
    }

    /** @return the pool's step */
    public Step getStep() {
        return this.step;
    }

    /** @return the host key the call goes to */
    public HostKey getHostKey() {
        return this.hostKey;
    }

    /** @return the call's request */
    public Request getRequest() {
        return this.request;
    }

    /** @return the connection an acquire got, or {@code null} (a dial, or a failed acquire) */
    public ConnectionInfo getConnection() {
        return this.connection;
    }

    /** @param connection the connection an acquire got */
    public void setConnection(ConnectionInfo connection) {
        this.connection = connection;
        this.connectionId = connection.connectionId();
    }

    /** @return the id of the connection got or made, or -1 when there is none */
    public long getConnectionId() {
        return this.connectionId;
    }

    /** @param connectionId the id of the connection a dial made */
    public void setConnectionId(long connectionId) {
        this.connectionId = connectionId;
    }

    /** @return the address a dial connected to, or {@code null} */
    public InetSocketAddress getRemoteAddress() {
        return this.remoteAddress;
    }

    /** @param remoteAddress the address a dial connected to */
    public void setRemoteAddress(InetSocketAddress remoteAddress) {
        this.remoteAddress = remoteAddress;
    }
}
