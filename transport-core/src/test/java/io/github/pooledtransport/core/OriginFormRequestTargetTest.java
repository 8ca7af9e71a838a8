package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The origin-form request target (RFC 9112 3.2.1) is the URI's raw path and query, byte for byte, whatever
 * the path looks like; only non-ASCII characters are percent-encoded, see {@code faults.RequestBytesTest}.
 */
@Timeout(20)
class OriginFormRequestTargetTest {

    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

    private final Transport transport = new Transport(TransportConfig.defaults());

    private RawHttpServer server;

    @AfterEach
    void stop() throws Exception {
        this.transport.close();
        if (this.server != null) {
            this.server.close();
        }
    }

    @Test
    void pathStartingWithTwoSlashesIsSentVerbatimNotReadAsAnAuthority() throws Exception {
        this.server = new RawHttpServer(RawHttpServer.answeringEveryRequestWith(OK));

        this.transport.roundTrip(Request.get(URI.create(this.server.url("//double/slash?x=1")))).close();

        assertThat(this.server.heads()).singleElement()
                .satisfies(head -> assertThat(head).startsWith("GET //double/slash?x=1 HTTP/1.1\r\n"));
    }

    @Test
    void percentEncodedPathAndQueryAreSentVerbatim() throws Exception {
        this.server = new RawHttpServer(RawHttpServer.answeringEveryRequestWith(OK));

        this.transport.roundTrip(Request.get(URI.create(this.server.url("/a%20b/c%2Fd;p=1?q=%26&r")))).close();

        assertThat(this.server.heads()).singleElement()
                .satisfies(head -> assertThat(head).startsWith("GET /a%20b/c%2Fd;p=1?q=%26&r HTTP/1.1\r\n"));
    }
}
