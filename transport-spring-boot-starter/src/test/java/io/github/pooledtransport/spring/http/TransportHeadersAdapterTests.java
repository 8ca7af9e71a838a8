package io.github.pooledtransport.spring.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.entry;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

import io.github.pooledtransport.core.Headers;

/** Response headers seen by Spring: case-insensitive, every value in order, read-only, nothing copied up front. */
class TransportHeadersAdapterTests {

    private final HttpHeaders headers = HttpHeaders.readOnlyHttpHeaders(new TransportHeadersAdapter(Headers.of(
            "Content-Type", "text/plain", "Set-Cookie", "a=1", "content-length", "5", "set-cookie", "b=2")));

    @Test
    void lookupsIgnoreCaseAndGetFirstReturnsTheFirstValue() {
        assertThat(this.headers.getFirst("set-cookie")).isEqualTo("a=1");
        assertThat(this.headers.getFirst("SET-COOKIE")).isEqualTo("a=1");
        assertThat(this.headers.getContentType()).isEqualTo(MediaType.TEXT_PLAIN);
        assertThat(this.headers.getContentLength()).isEqualTo(5);
        assertThat(this.headers.containsHeader("CONTENT-TYPE")).isTrue();
        assertThat(this.headers.containsHeader("x-absent")).isFalse();
        assertThat(this.headers.getFirst("x-absent")).isNull();
    }

    @Test
    void everyValueOfARepeatedFieldIsKeptInOrder() {
        assertThat(this.headers.get("Set-Cookie")).containsExactly("a=1", "b=2");
        assertThat(this.headers.get("x-absent")).isNull();
    }

    @Test
    void namesAreDistinctWithTheSpellingOfTheirFirstOccurrence() {
        assertThat(this.headers.headerNames()).containsExactly("Content-Type", "Set-Cookie", "content-length");
        assertThat(this.headers.size()).isEqualTo(3);
        assertThat(this.headers.toSingleValueMap()).containsExactly(entry("Content-Type", "text/plain"),
                entry("Set-Cookie", "a=1"), entry("content-length", "5"));
    }

    @Test
    void theAdapterItselfRefusesChanges() {
        TransportHeadersAdapter adapter = new TransportHeadersAdapter(Headers.of("A", "1"));

        assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> adapter.add("B", "2"));
        assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> adapter.set("A", "2"));
        assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> adapter.remove("A"));
        assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(adapter::clear);
        assertThat(adapter.getFirst("a")).isEqualTo("1");
    }

    @Test
    void noHeadersIsAnEmptyMap() {
        TransportHeadersAdapter adapter = new TransportHeadersAdapter(Headers.EMPTY);

        assertThat(adapter).isEmpty();
        assertThat(adapter.get("anything")).isNull();
        assertThat(adapter.containsKey("anything")).isFalse();
    }
}
