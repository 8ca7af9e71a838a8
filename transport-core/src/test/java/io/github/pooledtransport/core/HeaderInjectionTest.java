package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A header that could split the message (CR, LF or NUL in a value, a character whose low byte is one, a name
 * that is not a token) is rejected when it is added, with an error that names the header but never repeats the
 * value, and nothing reaches the server. The other control characters are covered by
 * {@code faults.RequestBytesTest}.
 */
class HeaderInjectionTest {

    private static final String SECRET = "s3cr3t-token";

    private RawHttpServer raw;

    private Transport transport;

    @BeforeEach
    void start() throws Exception {
        this.raw = new RawHttpServer(
                RawHttpServer.answeringEveryRequestWith("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        this.transport = new Transport(TransportConfig.defaults());
    }

    @AfterEach
    void stop() throws Exception {
        this.transport.close();
        this.raw.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "CR", "LF", "NUL" })
    void headersRejectAControlCharacterInAValueNamingTheHeaderButNotTheValue(String character) {
        String value = SECRET + controlCharacter(character) + "Injected: yes";

        IllegalArgumentException error = catchThrowableOfType(() -> Headers.of("X-Api-Key", value),
                IllegalArgumentException.class);

        assertThat(error).hasMessageContaining("X-Api-Key").hasMessageContaining(character);
        assertThat(error.getMessage()).doesNotContain(SECRET).doesNotContain("Injected");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "CR", "LF", "NUL" })
    void requestBuilderRejectsAControlCharacterInAValueBeforeAnythingIsSent(String character) throws Exception {
        String value = SECRET + controlCharacter(character) + "Injected: yes";

        assertThatThrownBy(() -> this.transport.roundTrip(
                Request.newBuilder(URI.create(this.raw.url("/"))).header("X-Api-Key", value).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("X-Api-Key")
                .message().doesNotContain(SECRET);

        assertNothingReachedTheServer();
    }

    @Test
    void requestBuilderSetHeaderRejectsALineBreakInAValue() throws Exception {
        Request.Builder builder = Request.newBuilder(URI.create(this.raw.url("/")));

        assertThatThrownBy(() -> builder.setHeader("Authorization", "Bearer " + SECRET + "\r\nX-Evil: 1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Authorization")
                .message().doesNotContain(SECRET);
        assertNothingReachedTheServer();
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = { "X Api Key", "X-Api-Key:", "X(Comment)", "Bad\r\nName", "Bad\u0000Name", "Ümlaut",
            "X-\"Quoted\"" })
    void headersRejectANameThatIsNotAToken(String name) {
        IllegalArgumentException error = catchThrowableOfType(() -> Headers.of(name, SECRET),
                IllegalArgumentException.class);

        assertThat(error).hasMessageContaining("Header name");
        assertThat(error.getMessage()).doesNotContain(SECRET);
    }

    @Test
    void headersRejectAnEmptyName() {
        assertThatThrownBy(() -> new Headers.Builder().add("", SECRET))
                .isInstanceOf(IllegalArgumentException.class)
                .message().doesNotContain(SECRET);
    }

    @Test
    void requestBuilderRejectsANameThatIsNotATokenBeforeAnythingIsSent() throws Exception {
        assertThatThrownBy(() -> this.transport.roundTrip(
                Request.newBuilder(URI.create(this.raw.url("/"))).header("X-Evil\r\nHost", SECRET).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("X-Evil")
                .message().doesNotContain(SECRET);

        assertNothingReachedTheServer();
    }

    @Test
    void requestBuilderRejectsAMethodThatIsNotAToken() throws Exception {
        Request.Builder builder = Request.newBuilder(URI.create(this.raw.url("/")));

        assertThatThrownBy(() -> builder.method("GET / HTTP/1.1\r\nX-Evil: 1\r\n\r\nGET", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertNothingReachedTheServer();
    }

    @Test
    void nonLatin1CharactersWhoseLowByteIsALineBreakAreRejectedBeforeAnythingIsSent() throws Exception {
        // U+010D and U+010A truncate to CR and LF if a writer narrows chars to bytes; HttpCore would send '?'.
        String value = "a\u010D\u010AInjected: yes";

        assertThatThrownBy(() -> this.transport.roundTrip(
                Request.newBuilder(URI.create(this.raw.url("/"))).header("X-Name", value).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("X-Name")
                .message().doesNotContain("Injected");

        assertNothingReachedTheServer();
    }

    private void assertNothingReachedTheServer() {
        assertThat(this.raw.connections()).isZero();
        assertThat(this.raw.heads()).isEmpty();
        assertThat(this.transport.stats().totals().requests()).isZero();
    }

    private static String controlCharacter(String name) {
        return switch (name) {
            case "CR" -> "\r";
            case "LF" -> "\n";
            case "NUL" -> "\0";
            default -> throw new IllegalArgumentException(name);
        };
    }
}
