package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConnectionReuseTest {

    private final MockWebServer server = new MockWebServer();

    private Transport transport;

    @BeforeEach
    void start() throws Exception {
        this.server.start(InetAddress.getLoopbackAddress(), 0);
        this.transport = new Transport(TransportConfig.defaults());
    }

    @AfterEach
    void stop() {
        this.transport.close();
        this.server.close();
    }

    @Test
    void secondRequestReusesTheConnectionOfTheFirst() throws Exception {
        this.server.enqueue(new MockResponse.Builder().body("one").build());
        this.server.enqueue(new MockResponse.Builder().body("two").build());

        try (Response first = this.transport.roundTrip(Request.get(url("/a")))) {
            assertThat(new String(first.body().readAllBytes())).isEqualTo("one");
        }
        try (Response second = this.transport.roundTrip(Request.get(url("/b")))) {
            assertThat(new String(second.body().readAllBytes())).isEqualTo("two");
        }

        RecordedRequest a = this.server.takeRequest();
        RecordedRequest b = this.server.takeRequest();
        assertThat(b.getConnectionIndex()).isEqualTo(a.getConnectionIndex());
        assertThat(b.getExchangeIndex()).isEqualTo(1);
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(1);
        assertThat(totals.reused()).isEqualTo(1);
        assertThat(totals.requests()).isEqualTo(2);
        assertThat(totals.idle()).isEqualTo(1);
        assertThat(totals.active()).isZero();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + this.server.getPort() + path;
    }
}
