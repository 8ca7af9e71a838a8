package io.github.pooledtransport.spring.observation;

import java.net.InetSocketAddress;
import java.util.function.Function;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;

import io.github.pooledtransport.core.AcquireTimeoutException;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.TransportCancelledException;
import io.github.pooledtransport.spring.observation.TransportConnectionObservationContext.Step;
import io.github.pooledtransport.spring.observation.TransportObservationDocumentation.HighCardinalityKeyNames;
import io.github.pooledtransport.spring.observation.TransportObservationDocumentation.LowCardinalityKeyNames;

/**
 * The default names and keys of one step: observation {@value #ACQUIRE_NAME} (span "connection acquire") or
 * {@value #DIAL_NAME} (span "connection dial"), with the keys of {@link TransportObservationDocumentation}. A
 * convention names one observation, so there is one instance per step.
 */
public class DefaultTransportConnectionObservationConvention implements TransportConnectionObservationConvention {

    /** The name of the acquire observation, and of the timer the default meter handler makes of it. */
    public static final String ACQUIRE_NAME = "transport.connection.acquire";

    /** The name of the dial observation, and of the timer the default meter handler makes of it. */
    public static final String DIAL_NAME = "transport.connection.dial";

    private static final KeyValue NO_EXCEPTION = KeyValue.of(LowCardinalityKeyNames.EXCEPTION, "none");

    private final Step step;

    private final Function<HostKey, String> hostTag;

    /** The acquire's convention, tagging hosts as {@link HostKey#toString()}. */
    public DefaultTransportConnectionObservationConvention() {
        this(Step.ACQUIRE, HostKey::toString);
    }

    /**
     * @param step the step it names
     * @param hostTag the {@code host} value of a host key: the pool meters' tag, so both stay within the same
     *     bound
     */
    public DefaultTransportConnectionObservationConvention(Step step, Function<HostKey, String> hostTag) {
        this.step = step;
        this.hostTag = hostTag;
    }

    @Override
    public String getName() {
        return (this.step == Step.ACQUIRE) ? ACQUIRE_NAME : DIAL_NAME;
    }

    @Override
    public boolean supportsContext(io.micrometer.observation.Observation.Context context) {
        return context instanceof TransportConnectionObservationContext c && c.getStep() == this.step;
    }

    @Override
    public String getContextualName(TransportConnectionObservationContext context) {
        return (context.getStep() == Step.ACQUIRE) ? "connection acquire" : "connection dial";
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(TransportConnectionObservationContext context) {
        return KeyValues.of(KeyValue.of(LowCardinalityKeyNames.HOST, this.hostTag.apply(context.getHostKey())),
                KeyValue.of(LowCardinalityKeyNames.OUTCOME, outcome(context)), exception(context));
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(TransportConnectionObservationContext context) {
        KeyValues values = KeyValues.of(KeyValue.of(HighCardinalityKeyNames.HOST_KEY, context.getHostKey().toString()));
        if (context.getConnectionId() >= 0) {
            values = values.and(KeyValue.of(HighCardinalityKeyNames.CONNECTION_ID,
                    Long.toString(context.getConnectionId())));
        }
        InetSocketAddress remote = context.getRemoteAddress();
        if (remote != null && remote.getAddress() != null) {
            values = values.and(KeyValue.of(HighCardinalityKeyNames.NETWORK_PEER_ADDRESS,
                    remote.getAddress().getHostAddress() + ":" + remote.getPort()));
        }
        return values;
    }

    private static String outcome(TransportConnectionObservationContext context) {
        Throwable error = context.getError();
        if (error instanceof AcquireTimeoutException) {
            return "TIMEOUT";
        }
        if (error instanceof TransportCancelledException cancelled) {
            // A dial is stopped only by closeIdleConnections or closing the transport: CANCELLED
            return (cancelled.why() == TransportCancelledException.Cause.CALL_TIMEOUT) ? "TIMEOUT" : "CANCELLED";
        }
        if (error != null) {
            return "ERROR";
        }
        if (context.getStep() == Step.DIAL) {
            return "SUCCESS";
        }
        return (context.getConnection() != null && !context.getConnection().reused()) ? "NEW" : "REUSED";
    }

    private static KeyValue exception(TransportConnectionObservationContext context) {
        Throwable error = context.getError();
        if (error == null) {
            return NO_EXCEPTION;
        }
        String name = error.getClass().getSimpleName();
        return KeyValue.of(LowCardinalityKeyNames.EXCEPTION, name.isEmpty() ? error.getClass().getName() : name);
    }
}
