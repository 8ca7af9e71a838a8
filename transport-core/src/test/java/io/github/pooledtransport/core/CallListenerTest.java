package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.pooledtransport.core.ScriptedHttpServer.Action;

/**
 * Each call gets its own {@link CallListener}, made on the thread that creates the call, and hears each attempt
 * at a connection end exactly once (acquired or failed), with the dial made for it in between.
 */
@Timeout(20)
class CallListenerTest {

    private ScriptedHttpServer server;

    private Transport transport;

    private final List<Recorder> calls = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        this.server = ScriptedHttpServer.start();
    }

    @AfterEach
    void stop() {
        if (this.transport != null) {
            this.transport.close();
        }
        this.server.close();
    }

    @Test
    void aNewConnectionIsDialedBetweenTheRequestAndTheAcquisition() throws Exception {
        this.transport = transport(TransportConfig.builder());
        assertThat(get(this.server.url("/a"))).isEqualTo("/a");

        Recorder call = this.calls.get(0);
        assertThat(call.events).containsExactly("requested", "dialStarted", "dialSucceeded", "acquired");
        assertThat(call.remote.getPort()).isEqualTo(this.server.port());
        assertThat(call.acquired.get(0).connectionId()).isEqualTo(call.dialedId);
        assertThat(call.acquired.get(0).reused()).isFalse();
    }

    @Test
    void aReusedConnectionIsAcquiredWithoutADial() throws Exception {
        this.transport = transport(TransportConfig.builder());
        get(this.server.url("/a"));
        get(this.server.url("/b"));

        assertThat(this.calls).hasSize(2);
        Recorder second = this.calls.get(1);
        assertThat(second.events).containsExactly("requested", "acquired");
        assertThat(second.acquired.get(0).reused()).isTrue();
        assertThat(second.acquired.get(0).connectionId()).isEqualTo(this.calls.get(0).dialedId);
    }

    @Test
    void eachCallGetsItsOwnListenerMadeOnTheCreatingThread() throws Exception {
        this.transport = transport(TransportConfig.builder());
        Call call = this.transport.newCall(Request.get(this.server.url("/made-here")));
        assertThat(this.calls).singleElement().satisfies(r -> {
            assertThat(r.request.uri().getPath()).isEqualTo("/made-here");
            assertThat(r.madeOn).isSameAs(Thread.currentThread());
            assertThat(r.events).isEmpty();
        });
        call.execute().close();
        get(this.server.url("/other"));
        assertThat(this.calls).hasSize(2);
        assertThat(this.calls.get(1).request.uri().getPath()).isEqualTo("/other");
    }

    @Test
    void aFailedDialFailsTheAcquisitionWithTheSameError() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        this.transport = transport(TransportConfig.builder());
        assertThatThrownBy(() -> get("http://127.0.0.1:" + closedPort + "/")).isInstanceOf(IOException.class);

        Recorder call = this.calls.get(0);
        assertThat(call.events).containsExactly("requested", "dialStarted", "dialFailed", "failed");
        assertThat(call.failures.get(1)).isSameAs(call.failures.get(0));
    }

    @Test
    void aStoppedCallFailsItsAcquisitionWhileItsDialGoesOnToThePool() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        this.transport = transport(TransportConfig.builder().callTimeout(Duration.ofMillis(100)).dnsResolver(host -> {
            try {
                answer.await(10, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                throw new UnknownHostException("interrupted");
            }
            return List.of(InetAddress.getByName("127.0.0.1"));
        }));
        try {
            assertThatThrownBy(() -> get("http://localhost:" + this.server.port() + "/"))
                    .isInstanceOf(TransportCancelledException.class);
            Recorder call = this.calls.get(0);
            assertThat(call.events).containsExactly("requested", "dialStarted", "failed");
            assertThat(call.failures).singleElement().isInstanceOf(TransportCancelledException.class);
        }
        finally {
            answer.countDown();
        }
        Recorder call = this.calls.get(0);
        for (int i = 0; i < 10_000 && this.transport.stats().totals().idle() == 0; i++) {
            Thread.sleep(1); // bounded poll: the dial ends on its own thread
        }
        assertThat(call.events).containsExactly("requested", "dialStarted", "failed", "dialSucceeded");
        assertThat(this.transport.stats().totals().idle()).isEqualTo(1);
    }

    @Test
    void aWaitThatTimesOutFailsTheAcquisitionWithoutADial() throws Exception {
        this.transport = transport(TransportConfig.builder().maxConnsPerHost(1)
                .acquireTimeout(Duration.ofMillis(50)));
        try (Response held = this.transport.roundTrip(Request.get(this.server.url("/held")))) {
            assertThatThrownBy(() -> get(this.server.url("/waits"))).isInstanceOf(AcquireTimeoutException.class);
            assertThat(held.status()).isEqualTo(200);
        }
        Recorder waiting = this.calls.get(1);
        assertThat(waiting.events).containsExactly("requested", "failed");
        assertThat(waiting.failures.get(0)).isInstanceOf(AcquireTimeoutException.class);
    }

    @Test
    void aReplayAcquiresASecondTime() throws Exception {
        this.server.script(r -> (r.connection() == 1 && r.exchange() == 2) ? Action.CLOSE_WITHOUT_RESPONSE
                : Action.RESPOND);
        this.transport = transport(TransportConfig.builder());
        get(this.server.url("/first"));
        assertThat(get(this.server.url("/replayed"))).isEqualTo("/replayed");

        Recorder replayed = this.calls.get(1);
        assertThat(replayed.events).containsExactly("requested", "acquired", "requested", "dialStarted",
                "dialSucceeded", "acquired");
        assertThat(replayed.acquired.get(0).reused()).isTrue();
        assertThat(replayed.acquired.get(1).reused()).isFalse();
    }

    @Test
    void aListenerOrFactoryThatThrowsNeverBreaksTheCall() throws Exception {
        CallListener throwing = new CallListener() {
            @Override
            public void connectionRequested(HostKey key) {
                throw new IllegalStateException("listener bug");
            }
        };
        this.transport = new Transport(TransportConfig.builder()
                .callListenerFactory(request -> {
                    throw new IllegalStateException("factory bug");
                })
                .callListenerFactory(request -> throwing)
                .callListenerFactory(this::record)
                .build());
        assertThat(get(this.server.url("/fine"))).isEqualTo("/fine");
        assertThat(this.calls.get(0).events).containsExactly("requested", "dialStarted", "dialSucceeded", "acquired");
    }

    private Transport transport(TransportConfig.Builder builder) {
        return new Transport(builder.readTimeout(Duration.ofSeconds(5)).callListenerFactory(this::record).build());
    }

    private CallListener record(Request request) {
        Recorder recorder = new Recorder(request);
        this.calls.add(recorder);
        return recorder;
    }

    private String get(String url) throws IOException {
        try (Response response = this.transport.roundTrip(Request.get(url))) {
            return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Records one call's events in order. */
    private static final class Recorder implements CallListener {

        final Request request;

        final Thread madeOn = Thread.currentThread();

        final List<String> events = new CopyOnWriteArrayList<>();

        final List<ConnectionInfo> acquired = new CopyOnWriteArrayList<>();

        final List<Throwable> failures = new CopyOnWriteArrayList<>();

        volatile long dialedId;

        volatile InetSocketAddress remote;

        Recorder(Request request) {
            this.request = request;
        }

        @Override
        public void connectionRequested(HostKey key) {
            this.events.add("requested");
        }

        @Override
        public void connectionAcquired(HostKey key, ConnectionInfo connection) {
            this.events.add("acquired");
            this.acquired.add(connection);
        }

        @Override
        public void connectionFailed(HostKey key, Throwable error) {
            this.events.add("failed");
            this.failures.add(error);
        }

        @Override
        public void dialStarted(HostKey key, long dialId) {
            this.events.add("dialStarted");
        }

        @Override
        public void dialSucceeded(HostKey key, long dialId, long connectionId, InetSocketAddress remote) {
            this.events.add("dialSucceeded");
            this.dialedId = connectionId;
            this.remote = remote;
        }

        @Override
        public void dialFailed(HostKey key, long dialId, Throwable error) {
            this.events.add("dialFailed");
            this.failures.add(error);
        }
    }
}
