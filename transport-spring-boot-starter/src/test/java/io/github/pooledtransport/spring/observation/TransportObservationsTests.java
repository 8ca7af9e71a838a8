package io.github.pooledtransport.spring.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.pooledtransport.core.AcquireTimeoutException;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.spring.web.WebTestSupport;

/**
 * A call made under an observation is observed getting its connection ({@code transport.connection.acquire}) and,
 * when it dials, dialing it ({@code transport.connection.dial}, under the acquire), with the documented keys; a
 * call made under none is not observed.
 */
@org.junit.jupiter.api.Timeout(20)
class TransportObservationsTests {

    private final ObservationRegistry registry = ObservationRegistry.create();

    private final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

    private final MockWebServer server = WebTestSupport.startEchoServer();

    private Transport transport;

    @BeforeEach
    void start() {
        this.registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }

            @Override
            public void onStop(Observation.Context context) {
                TransportObservationsTests.this.stopped.add(context);
            }
        });
        this.transport = transport(TransportConfig.builder());
    }

    @AfterEach
    void stop() {
        this.transport.close();
        this.server.close();
    }

    @Test
    void aNewConnectionIsAnAcquireWithADialUnderItUnderTheCallersObservation() throws Exception {
        Observation parent = Observation.start("http.client.requests", this.registry);
        parent.scoped(() -> get("/a"));
        parent.stop();

        TransportConnectionObservationContext acquire = only("transport.connection.acquire");
        TransportConnectionObservationContext dial = only("transport.connection.dial");
        assertThat(acquire.getParentObservation()).isSameAs(parent);
        assertThat(dial.getParentObservation().getContextView()).isSameAs(acquire);
        assertThat(acquire.getContextualName()).isEqualTo("connection acquire");
        assertThat(dial.getContextualName()).isEqualTo("connection dial");
        String host = "http://" + this.server.getHostName() + ":" + this.server.getPort();
        assertThat(acquire.getLowCardinalityKeyValues()).containsExactlyInAnyOrder(KeyValue.of("host", host),
                KeyValue.of("outcome", "NEW"), KeyValue.of("exception", "none"));
        assertThat(dial.getLowCardinalityKeyValues()).contains(KeyValue.of("outcome", "SUCCESS"));
        assertThat(dial.getHighCardinalityKeyValue("network.peer.address").getValue())
                .isEqualTo(InetAddress.getLoopbackAddress().getHostAddress() + ":"
                        + this.server.getPort());
        assertThat(dial.getHighCardinalityKeyValue("connection.id").getValue())
                .isEqualTo(acquire.getHighCardinalityKeyValue("connection.id").getValue());
    }

    @Test
    void aReusedConnectionIsAnAcquireWithoutADial() throws Exception {
        Observation parent = Observation.start("http.client.requests", this.registry);
        parent.scoped(() -> {
            get("/a");
            get("/b");
        });
        parent.stop();

        assertThat(named("transport.connection.dial")).hasSize(1);
        List<TransportConnectionObservationContext> acquires = named("transport.connection.acquire");
        assertThat(acquires).hasSize(2);
        assertThat(acquires.get(1).getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("REUSED");
    }

    @Test
    void aCallMadeUnderNoObservationIsNotObserved() throws Exception {
        get("/unobserved");
        assertThat(this.stopped).isEmpty();
    }

    @Test
    void aFailedDialEndsBothWithTheError() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Observation parent = Observation.start("http.client.requests", this.registry);
        try (Observation.Scope scope = parent.openScope()) {
            assertThatThrownBy(() -> this.transport.roundTrip(Request.get("http://127.0.0.1:" + closedPort + "/")))
                    .isInstanceOf(IOException.class);
        }
        parent.stop();

        TransportConnectionObservationContext dial = only("transport.connection.dial");
        TransportConnectionObservationContext acquire = only("transport.connection.acquire");
        assertThat(dial.getError()).isSameAs(acquire.getError()).isNotNull();
        assertThat(dial.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("ERROR");
        assertThat(acquire.getLowCardinalityKeyValue("exception").getValue())
                .isEqualTo(acquire.getError().getClass().getSimpleName());
    }

    @Test
    void aWaitThatTimesOutIsATimedOutAcquire() throws Exception {
        this.transport.close();
        this.transport = transport(TransportConfig.builder().maxConnsPerHost(1).acquireTimeout(Duration.ofMillis(50)));
        Observation parent = Observation.start("http.client.requests", this.registry);
        try (Observation.Scope scope = parent.openScope();
                Response held = this.transport.roundTrip(Request.get(this.server.url("/held").toString()))) {
            assertThatThrownBy(() -> this.transport.roundTrip(Request.get(this.server.url("/waits").toString())))
                    .isInstanceOf(AcquireTimeoutException.class);
            assertThat(held.status()).isEqualTo(200);
        }
        parent.stop();

        List<TransportConnectionObservationContext> acquires = named("transport.connection.acquire");
        assertThat(acquires).hasSize(2);
        assertThat(acquires.get(1).getLowCardinalityKeyValues()).contains(KeyValue.of("outcome", "TIMEOUT"),
                KeyValue.of("exception", "AcquireTimeoutException"));
    }

    @Test
    void anObservationTurnedOffByAPredicateCostsTheCallNothing() throws Exception {
        this.registry.observationConfig().observationPredicate((name, context) -> !name.startsWith("transport."));
        Observation parent = Observation.start("http.client.requests", this.registry);
        parent.scoped(() -> get("/a"));
        parent.stop();

        assertThat(this.stopped).extracting(Observation.Context::getName).containsExactly("http.client.requests");
    }

    @Test
    void aConventionOnTheRegistryRenamesTheStepItSupports() throws Exception {
        this.registry.observationConfig().observationConvention(new TransportConnectionObservationConvention() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return context instanceof TransportConnectionObservationContext c
                        && c.getStep() == TransportConnectionObservationContext.Step.ACQUIRE;
            }

            @Override
            public String getName() {
                return "custom.acquire";
            }
        });
        Observation parent = Observation.start("http.client.requests", this.registry);
        parent.scoped(() -> get("/a"));
        parent.stop();

        assertThat(this.stopped).extracting(Observation.Context::getName).containsExactlyInAnyOrder(
                "custom.acquire", "transport.connection.dial", "http.client.requests");
    }

    private Transport transport(TransportConfig.Builder builder) {
        return new Transport(builder.callListenerFactory(new TransportObservations(this.registry, HostKey::toString))
                .build());
    }

    private void get(String path) {
        try (Response response = this.transport.roundTrip(Request.get(this.server.url(path).toString()))) {
            response.body().readAllBytes();
        }
        catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private TransportConnectionObservationContext only(String name) {
        List<TransportConnectionObservationContext> found = named(name);
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private List<TransportConnectionObservationContext> named(String name) {
        return this.stopped.stream().filter(c -> name.equals(c.getName()))
                .map(TransportConnectionObservationContext.class::cast).toList();
    }
}
