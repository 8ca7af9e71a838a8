package io.github.pooledtransport.core.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportException;
import io.github.pooledtransport.core.faults.HostileServer.Mode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A body that ends before its framing says it should is never a success, on every way of reading it, and its
 * connection is never reused; a later read fails again (errors are sticky).
 */
class TruncatedBodyTest {

    /** The ways a caller reads a body to its end. */
    enum ReadPath {

        SINGLE_BYTES {
            @Override
            void readToEnd(InputStream in) throws IOException {
                while (in.read() != -1) {
                    // byte by byte
                }
            }
        },
        ARRAY {
            @Override
            void readToEnd(InputStream in) throws IOException {
                byte[] buffer = new byte[3];
                while (in.read(buffer) != -1) {
                    // small reads, so that the cut falls inside one
                }
            }
        },
        READ_ALL_BYTES {
            @Override
            void readToEnd(InputStream in) throws IOException {
                in.readAllBytes();
            }
        },
        READ_N_BYTES {
            @Override
            void readToEnd(InputStream in) throws IOException {
                in.readNBytes(1_000_000);
            }
        },
        TRANSFER_TO {
            @Override
            void readToEnd(InputStream in) throws IOException {
                in.transferTo(OutputStream.nullOutputStream());
            }
        },
        SKIP {
            @Override
            void readToEnd(InputStream in) throws IOException {
                while (in.skip(4) > 0 || in.read() != -1) {
                    // skip ahead; skip may return 0 before the end, read tells the end
                }
            }
        },
        MARK_RESET {
            @Override
            void readToEnd(InputStream in) throws IOException {
                in.mark(8);
                in.read(new byte[4]);
                in.reset();
                while (in.read() != -1) {
                    // reread from the mark, then on
                }
            }
        };

        abstract void readToEnd(InputStream in) throws IOException;
    }

    /** Response heads and bodies cut short, and what a whole answer looks like. */
    enum Cut {

        CONTENT_LENGTH_SHORT("HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n0123456789"),
        CHUNK_CUT_IN_THE_MIDDLE("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n01234"),
        LAST_CHUNK_MISSING("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n");

        final String bytes;

        Cut(String bytes) {
            this.bytes = bytes;
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Mode mode : Mode.values()) {
            for (Cut cut : Cut.values()) {
                for (ReadPath path : ReadPath.values()) {
                    cases.add(Arguments.of(mode, cut, path));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void truncatedBodyFailsOnEveryReadPathAndItsConnectionIsNotReused(Mode mode, Cut cut, ReadPath path)
            throws Exception {
        try (HostileServer server = new HostileServer(mode, peer -> {
            if (peer.number == 1) {
                peer.readRequest();
                peer.write(cut.bytes);
                return; // closes: the body ends short
            }
            while (peer.readRequest() != null) {
                peer.write(HostileServer.ok("whole"));
            }
        }); Transport transport = HostileServer.client()) {
            try (Response response = transport.roundTrip(Request.get(server.url("/cut")))) {
                InputStream body = response.body();
                assertThatExceptionOfType(TransportException.class).isThrownBy(() -> path.readToEnd(body))
                        .withMessageContaining("127.0.0.1");
                assertThatExceptionOfType(TransportException.class).as("a later read fails too")
                        .isThrownBy(body::read);
            }
            try (Response next = transport.roundTrip(Request.get(server.url("/next")))) {
                assertThat(new String(next.body().readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("whole");
            }
            assertThat(server.connections()).isEqualTo(2);
            assertThat(transport.stats().totals().reused()).isZero();
        }
    }
}
