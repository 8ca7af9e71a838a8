package io.github.pooledtransport.spring.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations of the pool's work for a call, with their key names; see {@code docs/observability.md}.
 */
public enum TransportObservationDocumentation implements ObservationDocumentation {

    /**
     * A call getting a connection: taking an idle one, waiting in line at {@code max-conns-per-host}, or dialing
     * one (a child {@link #CONNECTION_DIAL} observation). One per attempt: a replay acquires again.
     */
    CONNECTION_ACQUIRE {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultTransportConnectionObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return LowCardinalityKeyNames.values();
        }

        @Override
        public KeyName[] getHighCardinalityKeyNames() {
            return new KeyName[] { HighCardinalityKeyNames.CONNECTION_ID, HighCardinalityKeyNames.HOST_KEY };
        }
    },

    /**
     * A dial made for a call: DNS, TCP connect (through the proxy, if any) and, for {@code https}, the TLS
     * handshake.
     */
    CONNECTION_DIAL {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultTransportConnectionObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return LowCardinalityKeyNames.values();
        }

        @Override
        public KeyName[] getHighCardinalityKeyNames() {
            return HighCardinalityKeyNames.values();
        }
    };

    /** Keys with a bounded set of values: they become meter tags. */
    public enum LowCardinalityKeyNames implements KeyName {

        /**
         * The host key, as the pool meters tag it: {@code scheme://host:port}, with the proxy when there is one;
         * {@code other} beyond {@code transport.metrics.max-host-tags} when metrics are on.
         */
        HOST {
            @Override
            public String asString() {
                return "host";
            }
        },

        /**
         * How it ended. Acquire: {@code REUSED} (an idle or released connection), {@code NEW} (dialed for the
         * call), {@code TIMEOUT} ({@code acquire-timeout} or {@code call-timeout}), {@code CANCELLED},
         * {@code ERROR}. Dial: {@code SUCCESS}, {@code CANCELLED}, {@code ERROR}.
         */
        OUTCOME {
            @Override
            public String asString() {
                return "outcome";
            }
        },

        /** The simple class name of the failure, or {@code none}. */
        EXCEPTION {
            @Override
            public String asString() {
                return "exception";
            }
        }
    }

    /** Keys whose values vary per call: span attributes only. */
    public enum HighCardinalityKeyNames implements KeyName {

        /** The connection's id in the pool, as in the endpoint and the listener events. */
        CONNECTION_ID {
            @Override
            public String asString() {
                return "connection.id";
            }
        },

        /** The whole host key: origin, proxy (never its password) and TLS identity. */
        HOST_KEY {
            @Override
            public String asString() {
                return "transport.host.key";
            }
        },

        /** The address a dial connected to (the proxy's when there is one): {@code ip:port}. */
        NETWORK_PEER_ADDRESS {
            @Override
            public String asString() {
                return "network.peer.address";
            }
        }
    }
}
