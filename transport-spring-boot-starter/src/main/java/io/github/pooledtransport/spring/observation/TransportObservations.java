package io.github.pooledtransport.spring.observation;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import io.github.pooledtransport.core.CallListener;
import io.github.pooledtransport.core.ConnectionInfo;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.spring.observation.TransportConnectionObservationContext.Step;

/**
 * Observes the pool's work for each call made under an observation: the call's listener, made on the calling
 * thread, takes the thread's current observation (Spring's {@code http.client.requests} around a
 * {@code RestClient} or {@code RestTemplate} exchange) as the parent of a {@code transport.connection.acquire}
 * observation, under which a dial made for the call is a {@code transport.connection.dial} observation. The
 * parent is held by the call, not the thread, so the spans stay in place whichever thread ends them.
 *
 * <p>A call made with no current observation is not observed: its connection spans would be roots with nothing
 * to explain, and the request path stays free of observation work (the pool meters still count it).
 * Observations can be turned off with {@code management.observations.enable.transport.connection=false} and
 * renamed or re-keyed with a {@link TransportConnectionObservationConvention} registered on the registry.
 */
public class TransportObservations implements CallListener.Factory {

    private final ObservationRegistry registry;

    private final DefaultTransportConnectionObservationConvention acquireConvention;

    private final DefaultTransportConnectionObservationConvention dialConvention;

    /**
     * @param registry the registry the observations go to
     * @param hostTag the {@code host} key's value of a host key (the pool meters' host tag)
     */
    public TransportObservations(ObservationRegistry registry, Function<HostKey, String> hostTag) {
        this.registry = registry;
        this.acquireConvention = new DefaultTransportConnectionObservationConvention(Step.ACQUIRE, hostTag);
        this.dialConvention = new DefaultTransportConnectionObservationConvention(Step.DIAL, hostTag);
    }

    @Override
    public CallListener create(Request request) {
        if (this.registry.isNoop()) {
            return CallListener.NONE;
        }
        Observation parent = this.registry.getCurrentObservation();
        if (parent == null || parent.isNoop()) {
            return CallListener.NONE;
        }
        return new ObservedCall(request, parent);
    }

    /**
     * One call's observations. Its acquire's events come on the calling thread, one attempt at a time; its dials'
     * events come from their own threads and may overlap (a replay's dial while the first attempt's goes on), so
     * dial observations are kept by dial id.
     */
    private final class ObservedCall implements CallListener {

        private final Request request;

        private final Observation parent;

        /** The attempt under way, on the calling thread. */
        private volatile Observation acquire;

        /**
         * The acquire in scope on the calling thread while the call waits: a tracer takes the span in scope as the
         * parent of spans started on that thread, before the parent observation. Calling thread only.
         */
        private Observation.Scope acquireScope;

        private final Map<Long, Observation> dials = new ConcurrentHashMap<>(2);

        ObservedCall(Request request, Observation parent) {
            this.request = request;
            this.parent = parent;
        }

        @Override
        public void connectionRequested(HostKey key) {
            Observation observation = start(TransportObservationDocumentation.CONNECTION_ACQUIRE, acquireConvention,
                    Step.ACQUIRE, key, this.parent);
            this.acquire = observation;
            this.acquireScope = observation.openScope(); // its end comes on this thread (CallListener)
        }

        @Override
        public void connectionAcquired(HostKey key, ConnectionInfo connection) {
            Observation observation = this.acquire;
            if (observation != null) {
                if (observation.getContext() instanceof TransportConnectionObservationContext context) {
                    context.setConnection(connection);
                }
                end(observation);
            }
        }

        @Override
        public void connectionFailed(HostKey key, Throwable error) {
            Observation observation = this.acquire;
            if (observation != null) {
                end(observation.error(error));
            }
        }

        @Override
        public void dialStarted(HostKey key, long dialId) {
            Observation under = this.acquire; // the attempt it was started for, unless that already ended
            this.dials.put(dialId, start(TransportObservationDocumentation.CONNECTION_DIAL, dialConvention, Step.DIAL,
                    key, (under != null) ? under : this.parent));
        }

        @Override
        public void dialSucceeded(HostKey key, long dialId, long connectionId, InetSocketAddress remote) {
            Observation observation = this.dials.remove(dialId);
            if (observation != null) {
                if (observation.getContext() instanceof TransportConnectionObservationContext context) {
                    // a disabled observation is a no-op with a context of its own
                    context.setConnectionId(connectionId);
                    context.setRemoteAddress(remote);
                }
                observation.stop();
            }
        }

        @Override
        public void dialFailed(HostKey key, long dialId, Throwable error) {
            Observation observation = this.dials.remove(dialId);
            if (observation != null) {
                observation.error(error).stop();
            }
        }

        private void end(Observation acquire) {
            this.acquire = null;
            this.acquireScope.close();
            this.acquireScope = null;
            acquire.stop();
        }

        private Observation start(TransportObservationDocumentation documentation,
                DefaultTransportConnectionObservationConvention convention, Step step, HostKey key,
                Observation parent) {
            return documentation.observation(null, convention,
                    () -> new TransportConnectionObservationContext(step, key, this.request), registry)
                    .parentObservation(parent).start();
        }
    }
}
