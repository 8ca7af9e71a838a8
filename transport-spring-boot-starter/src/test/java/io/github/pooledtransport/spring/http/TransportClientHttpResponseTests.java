package io.github.pooledtransport.spring.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Arrays;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

import io.github.pooledtransport.core.PoolStats;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;

/** Responses read through {@link RestClient}: bodies arrive whole, headers as sent, connections go back. */
class TransportClientHttpResponseTests {

    private final MockWebServer server = new MockWebServer();

    private final Transport transport = new Transport(TransportConfig.builder().disableCompression(true).build());

    private RestClient client;

    @BeforeEach
    void start() throws IOException {
        this.server.start(InetAddress.getLoopbackAddress(), 0);
        this.client = RestClient.builder()
                .requestFactory(new TransportClientHttpRequestFactoryBuilder(this.transport, null)
                        .build(HttpClientSettings.defaults()))
                .baseUrl("http://127.0.0.1:" + this.server.getPort())
                .build();
    }

    @AfterEach
    void stop() {
        this.transport.close();
        this.server.close();
    }

    @Test
    void largeByteArrayBodiesArriveWholeAndTheirConnectionIsReused() {
        byte[] content = new byte[1 << 20];
        Arrays.fill(content, (byte) 'x');
        content[0] = 'F';
        content[content.length - 1] = 'L';
        for (int i = 0; i < 2; i++) {
            this.server.enqueue(new MockResponse.Builder().body(new Buffer().write(content)).build());
        }

        byte[] first = this.client.get().uri("/big").retrieve().body(byte[].class);
        byte[] second = this.client.get().uri("/big").retrieve().body(byte[].class);

        assertThat(first).isEqualTo(content);
        assertThat(second).isEqualTo(content);
        PoolStats totals = this.transport.stats().totals();
        assertThat(totals.opened()).isEqualTo(1);
        assertThat(totals.reused()).isEqualTo(1);
        assertThat(totals.idle()).isEqualTo(1);
    }

    @Test
    void anEmptyChunkedBodyReadsAsNoBodyAndReleasesTheConnection() {
        this.server.enqueue(new MockResponse.Builder().chunkedBody("", 8).build());

        String body = this.client.get().uri("/empty").retrieve().body(String.class);

        assertThat(body).isNull();
        assertThat(this.transport.stats().totals().idle()).isEqualTo(1);
    }

    @Test
    void aChunkedBodyOfUnknownLengthArrivesWithItsFirstByte() {
        this.server.enqueue(new MockResponse.Builder().chunkedBody("first byte matters", 4).build());

        String body = this.client.get().uri("/chunked").retrieve().body(String.class);

        assertThat(body).isEqualTo("first byte matters");
    }

    @Test
    void responseHeadersKeepRepeatedValuesAndIgnoreCase() {
        this.server.enqueue(new MockResponse.Builder().addHeader("X-Multi", "one").addHeader("x-multi", "two")
                .body("ok").build());

        ResponseEntity<String> entity = this.client.get().uri("/headers").retrieve().toEntity(String.class);

        assertThat(entity.getHeaders().get("X-MULTI")).containsExactly("one", "two");
        assertThat(entity.getHeaders().getFirst("x-multi")).isEqualTo("one");
        assertThat(entity.getHeaders().getContentLength()).isEqualTo(2);
        assertThat(entity.getBody()).isEqualTo("ok");
    }
}
