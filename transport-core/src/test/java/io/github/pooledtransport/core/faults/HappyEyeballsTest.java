package io.github.pooledtransport.core.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;
import io.github.pooledtransport.core.TransportException;
import io.github.pooledtransport.core.TransportListener;
import io.github.pooledtransport.core.faults.HostileServer.Mode;

/**
 * Happy eyeballs, as Go's {@code dialParallel}: a name with IPv6 and IPv4 addresses races the two families, the
 * first address's family first and the other after the fallback delay, or at once when the first failed. On
 * loopback: the server listens on {@code 127.0.0.1:P}; on {@code [::1]:P} there is nothing (a closed port fails
 * at once) or a listener whose backlog is full (Linux drops the SYN, so the connect stalls). Skipped, saying so,
 * where {@code ::1} is not configured.
 */
@Timeout(30)
class HappyEyeballsTest {

    private static final InetAddress V4 = address("127.0.0.1");

    private static final InetAddress V6 = address("::1");

    private HostileServer server;

    private final Attempts attempts = new Attempts();

    @BeforeEach
    void start() throws IOException {
        assumeTrue(ipv6Loopback(), "::1 is not configured on this machine: the address family race needs it");
        this.server = new HostileServer(Mode.PLAIN, peer -> {
            while (peer.readRequest() != null) {
                peer.write(HostileServer.ok("raced"));
            }
        });
    }

    @AfterEach
    void stop() throws IOException {
        if (this.server != null) {
            this.server.close();
        }
    }

    @Test
    void aStalledFirstFamilyLosesToTheOtherAfterTheFallbackDelay() throws Exception {
        try (DialingFixtures.FullBacklog stalled = new DialingFixtures.FullBacklog(v6(this.server.port()));
                Transport transport = transport(List.of(V6, V4), Duration.ofMillis(50))) {
            assertThat(HostileServer.get(transport, url())).isEqualTo("raced");

            assertThat(this.attempts.started).containsExactly("::1", "127.0.0.1");
            assertThat(this.attempts.succeeded).containsExactly("127.0.0.1");
            assertThat(this.attempts.failed).singleElement().satisfies(failed -> {
                assertThat(failed).startsWith("::1");
                assertThat(failed).contains("abandoned: 127.0.0.1 connected first");
            });
            assertThat(transport.stats().totals().fallbacks()).isEqualTo(1);
        }
    }

    @Test
    void aFailedFirstFamilyStartsTheOtherAtOnce() throws Exception {
        // Nothing listens on [::1]:P: refused at once. An hour's fallback delay shows the other did not wait.
        try (Transport transport = transport(List.of(V6, V4), Duration.ofHours(1))) {
            assertThat(HostileServer.get(transport, url())).isEqualTo("raced");

            assertThat(this.attempts.started).containsExactly("::1", "127.0.0.1");
            assertThat(this.attempts.succeeded).containsExactly("127.0.0.1");
            assertThat(this.attempts.errors).singleElement().isInstanceOf(ConnectException.class);
            assertThat(transport.stats().totals().fallbacks()).isEqualTo(1);
        }
    }

    @Test
    void theFirstAddressDecidesWhichFamilyGoesFirst() throws Exception {
        try (DialingFixtures.FullBacklog stalled = new DialingFixtures.FullBacklog(v6(this.server.port()));
                Transport transport = transport(List.of(V4, V6), Duration.ofHours(1))) {
            assertThat(HostileServer.get(transport, url())).isEqualTo("raced");

            assertThat(this.attempts.started).containsExactly("127.0.0.1");
            assertThat(transport.stats().totals().fallbacks()).isZero();
        }
    }

    @Test
    void aNegativeFallbackDelayTriesTheAddressesInOrderWithoutARace() throws Exception {
        // Nothing listens on [::1]:P. In order, the IPv4 address is tried once the IPv6 one failed: no race, so
        // no fallback is counted (a race would count one, as aFailedFirstFamilyStartsTheOtherAtOnce shows).
        try (Transport transport = transport(List.of(V6, V4), Duration.ofMillis(-1))) {
            assertThat(HostileServer.get(transport, url())).isEqualTo("raced");

            assertThat(this.attempts.started).containsExactly("::1", "127.0.0.1");
            assertThat(this.attempts.errors).singleElement().isInstanceOf(ConnectException.class);
            assertThat(transport.stats().totals().fallbacks()).isZero();
        }
    }

    @Test
    void whenBothFamiliesFailTheErrorNamesEveryAddressTried() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, V4)) {
            closedPort = socket.getLocalPort();
        }
        try (Transport transport = transport(List.of(V6, V4), Duration.ofHours(1))) {
            assertThatThrownBy(() -> HostileServer.get(transport, "http://dual.test:" + closedPort + "/"))
                    .isInstanceOf(TransportException.class)
                    .hasMessageContaining("tried 0:0:0:0:0:0:0:1, 127.0.0.1");
            assertThat(this.attempts.errors).hasSize(2).allSatisfy(e -> assertThat(e).isInstanceOf(ConnectException.class));
        }
    }

    @Test
    void theAddressFilterAppliesBeforeTheRace() throws Exception {
        try (Transport transport = new Transport(config(List.of(V6, V4), Duration.ofHours(1))
                .addressFilter(address -> !address.equals(V6)).build())) {
            assertThat(HostileServer.get(transport, url())).isEqualTo("raced");
            assertThat(this.attempts.started).containsExactly("127.0.0.1");
            assertThat(transport.stats().totals().fallbacks()).isZero();
        }
    }

    @Test
    void closeIdleConnectionsStopsARaceNobodyWaitsForAndClosesBothAttempts() throws Exception {
        try (DialingFixtures.FullBacklog v4 = new DialingFixtures.FullBacklog(new InetSocketAddress(V4, 0));
                DialingFixtures.FullBacklog v6 = new DialingFixtures.FullBacklog(v6(v4.port()));
                Transport transport = new Transport(config(List.of(V6, V4), Duration.ofMillis(20))
                        .callTimeout(Duration.ofMillis(300)).dialTimeout(Duration.ofSeconds(20)).build())) {
            assertThatThrownBy(() -> HostileServer.get(transport, "http://dual.test:" + v4.port() + "/"))
                    .isInstanceOf(io.github.pooledtransport.core.TransportCancelledException.class)
                    .hasMessageContaining("while its dial was connecting to");
            assertThat(transport.stats().totals().dialing()).as("the race goes on without its caller").isEqualTo(1);

            transport.closeIdleConnections();
            for (int i = 0; i < 10_000 && transport.stats().totals().dialing() > 0; i++) {
                Thread.sleep(1); // bounded poll: the race ends on the dial's thread
            }
            assertThat(transport.stats().totals().dialing()).isZero();
            assertThat(this.attempts.started).containsExactly("::1", "127.0.0.1");
            assertThat(this.attempts.failed).hasSize(2).allSatisfy(f -> assertThat(f).contains("abandoned"));
            assertThat(transport.stats().totals().opened()).isZero();
        }
    }

    private String url() {
        return "http://dual.test:" + this.server.port() + "/";
    }

    private Transport transport(List<InetAddress> answer, Duration fallbackDelay) {
        return new Transport(config(answer, fallbackDelay).build());
    }

    private TransportConfig.Builder config(List<InetAddress> answer, Duration fallbackDelay) {
        return HostileServer.clientConfig().dnsResolver(host -> answer).fallbackDelay(fallbackDelay)
                .listener(this.attempts);
    }

    private static InetSocketAddress v6(int port) {
        return new InetSocketAddress(V6, port);
    }

    private static boolean ipv6Loopback() {
        try (ServerSocket probe = new ServerSocket(0, 1, V6)) {
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Every connect attempt, by address. */
    private static final class Attempts implements TransportListener {

        final List<String> started = new CopyOnWriteArrayList<>();

        final List<String> succeeded = new CopyOnWriteArrayList<>();

        final List<String> failed = new CopyOnWriteArrayList<>();

        final List<IOException> errors = new CopyOnWriteArrayList<>();

        @Override
        public void connectStart(InetSocketAddress address) {
            this.started.add(address.getAddress().getHostAddress().replace("0:0:0:0:0:0:0:1", "::1"));
        }

        @Override
        public void connectDone(HostKey key, InetSocketAddress address, IOException error, Duration elapsed) {
            String name = address.getAddress().getHostAddress().replace("0:0:0:0:0:0:0:1", "::1");
            if (error == null) {
                this.succeeded.add(name);
            }
            else {
                this.failed.add(name + ": " + error.getMessage());
                if (!String.valueOf(error.getMessage()).startsWith("abandoned")) {
                    this.errors.add(error);
                }
            }
        }
    }
}
