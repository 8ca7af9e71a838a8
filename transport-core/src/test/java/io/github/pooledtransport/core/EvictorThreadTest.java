package io.github.pooledtransport.core;

import static io.github.pooledtransport.core.PoolTestSupport.get;
import static io.github.pooledtransport.core.PoolTestSupport.okServer;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Idle connections of every transport are evicted by one background thread for the whole JVM. */
class EvictorThreadTest {

    private static final String EVICTOR_THREAD = "pooled-transport-timer";

    private final List<Transport> transports = new ArrayList<>();

    private MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        this.server = okServer();
    }

    @AfterEach
    void stop() {
        try {
            for (Transport transport : this.transports) {
                transport.engine().pool().checkInvariants();
            }
        }
        finally {
            this.transports.forEach(Transport::close);
            this.server.close();
        }
    }

    @Test
    void oneEvictorThreadServesEveryTransportAndConnection() throws Exception {
        for (int t = 0; t < 5; t++) {
            Transport transport = new Transport(TransportConfig.defaults());
            this.transports.add(transport);
            // Three idle connections per transport, each scheduling its idle deadline.
            Response r0 = transport.roundTrip(get(this.server, "/t" + t + "/0"));
            Response r1 = transport.roundTrip(get(this.server, "/t" + t + "/1"));
            Response r2 = transport.roundTrip(get(this.server, "/t" + t + "/2"));
            r0.close();
            r1.close();
            r2.close();
        }

        assertThat(this.transports).allSatisfy(t -> assertThat(t.stats().totals().idle()).isEqualTo(3));
        assertThat(evictorThreads()).isEqualTo(1);
    }

    private static long evictorThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals(EVICTOR_THREAD))
                .count();
    }
}
