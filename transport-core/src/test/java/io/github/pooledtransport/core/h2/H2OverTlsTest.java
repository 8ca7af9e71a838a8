package io.github.pooledtransport.core.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.pooledtransport.core.Protocol;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.TransportException;

/**
 * HTTP/2 over TLS chosen by ALPN (Jetty 12.1): offered with HTTP/1.1, it is used when the server picks it, and a
 * cold burst to an HTTP/2 server opens one connection; a server that speaks only HTTP/1.1 is spoken to as before,
 * a connection per concurrent request.
 */
@Timeout(60)
class H2OverTlsTest {

    private final TestHandler handler = new TestHandler();

    private JettyH2Server server;

    private Transport transport;

    private ExecutorService callers;

    private void start(String... serverProtocols) throws Exception {
        start(EnumSet.of(Protocol.HTTP1, Protocol.H2), serverProtocols);
    }

    private void start(EnumSet<Protocol> protocols, String... serverProtocols) throws Exception {
        this.server = new JettyH2Server(this.handler, 256, serverProtocols);
        this.transport = new Transport(TransportConfig.builder().protocols(protocols)
                .sslContext(H2Certificates.CLIENT.sslContext(), "h2-test").readTimeout(Duration.ofSeconds(20))
                .build());
        this.callers = Executors.newFixedThreadPool(50);
    }

    @AfterEach
    void stop() throws Exception {
        if (this.callers != null) {
            this.callers.shutdownNow();
        }
        if (this.transport != null) {
            H2MultiplexingTest.engine(this.transport).pool().checkInvariants();
            this.transport.close();
        }
        if (this.server != null) {
            this.server.close();
        }
    }

    @Test
    void alpnChoosesH2AndTheBodyIsExact() throws Exception {
        start("h2", "http/1.1");
        try (Response response = this.transport.roundTrip(Request.get(this.server.url("/bytes?n=2000000&seed=1")))) {
            assertThat(response.protocol()).isEqualTo("HTTP/2.0");
            assertThat(response.body().readAllBytes()).isEqualTo(TestHandler.bytes(2_000_000, 1));
        }
    }

    @Test
    void coldBurstToAnH2ServerOpensOneConnection() throws Exception {
        start("h2", "http/1.1");
        List<Future<Boolean>> results = burst(50);
        for (Future<Boolean> result : results) {
            assertThat(result.get(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(this.transport.stats().totals().opened()).isEqualTo(1);
        assertThat(this.server.connections()).isEqualTo(1);
    }

    @Test
    void serverWithoutH2IsSpokenToInHttp1AndABurstDialsPerRequest() throws Exception {
        start("http/1.1");
        List<Future<Boolean>> results = burst(20);
        for (Future<Boolean> result : results) {
            assertThat(result.get(30, TimeUnit.SECONDS)).isTrue();
        }
        // The first dial learns HTTP/1.1; the requests that waited for it then dial for themselves.
        assertThat(this.transport.stats().totals().opened()).isGreaterThan(1);
        try (Response response = this.transport.roundTrip(Request.get(this.server.url("/bytes?n=10&seed=3")))) {
            assertThat(response.protocol()).isEqualTo("HTTP/1.1");
        }
    }

    @Test
    void http1OnlyProtocolsNeverOfferH2() throws Exception {
        start(EnumSet.of(Protocol.HTTP1), "h2", "http/1.1");
        try (Response response = this.transport.roundTrip(Request.get(this.server.url("/bytes?n=10&seed=4")))) {
            assertThat(response.protocol()).isEqualTo("HTTP/1.1");
        }
    }

    @Test
    void h2OnlyProtocolsRefuseAnHttp1Server() throws Exception {
        start(EnumSet.of(Protocol.H2), "http/1.1");
        assertThatThrownBy(() -> this.transport.roundTrip(Request.get(this.server.url("/bytes?n=10&seed=5"))))
                .isInstanceOf(TransportException.class);
    }

    private List<Future<Boolean>> burst(int count) {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int seed = i;
            results.add(this.callers.submit(() -> {
                go.await();
                try (Response response = this.transport.roundTrip(
                        Request.get(this.server.url("/bytes?n=50000&seed=" + seed)))) {
                    return java.util.Arrays.equals(response.body().readAllBytes(), TestHandler.bytes(50_000, seed));
                }
            }));
        }
        go.countDown();
        return results;
    }
}
