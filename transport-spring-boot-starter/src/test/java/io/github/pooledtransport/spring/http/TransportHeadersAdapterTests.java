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
    void theReadOnlyViewRefusesChanges() {
        assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> this.headers.add("B", "2"));
        assertThatExceptionOfType(UnsupportedOperationException.class)
                .isThrownBy(() -> this.headers.remove("content-type"));
        assertThat(this.headers.getContentType()).isEqualTo(MediaType.TEXT_PLAIN);
    }

    @Test
    void aCopyMadeWithTheHttpHeadersConstructorCanBeChangedIgnoringCase() {
        HttpHeaders mutable = new HttpHeaders(this.headers);

        mutable.remove("CONTENT-TYPE");
        mutable.add("SET-COOKIE", "c=3");
        mutable.set("X-New", "yes");

        assertThat(mutable.getContentType()).isNull();
        assertThat(mutable.get("set-cookie")).containsExactly("a=1", "b=2", "c=3");
        assertThat(mutable.getFirst("x-new")).isEqualTo("yes");
        assertThat(mutable.headerNames()).containsExactly("Set-Cookie", "content-length", "X-New");
    }

    @Test
    void equalToSpringsOwnHeadersWithTheSameFields() {
        HttpHeaders plain = new HttpHeaders();
        plain.add("Content-Type", "text/plain");
        plain.add("Set-Cookie", "a=1");
        plain.add("Set-Cookie", "b=2");
        plain.add("content-length", "5");

        assertThat(this.headers).isEqualTo(plain);
        assertThat(plain).isEqualTo(this.headers);
        assertThat(this.headers.toString()).isEqualTo(plain.toString());
    }

    @Test
    void serializedHeadersReadBackAsTheSameFields() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(this.headers);
        }
        Object read;
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
                new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            read = in.readObject();
        }

        assertThat(read).isInstanceOf(HttpHeaders.class).isEqualTo(this.headers);
        assertThat(((HttpHeaders) read).get("SET-COOKIE")).containsExactly("a=1", "b=2");
    }

    @Test
    void noHeadersIsAnEmptyMap() {
        TransportHeadersAdapter adapter = new TransportHeadersAdapter(Headers.EMPTY);

        assertThat(adapter).isEmpty();
        assertThat(adapter.get("anything")).isNull();
        assertThat(adapter.containsKey("anything")).isFalse();
    }
}
