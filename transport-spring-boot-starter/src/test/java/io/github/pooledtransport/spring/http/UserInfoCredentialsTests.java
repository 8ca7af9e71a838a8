package io.github.pooledtransport.spring.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

/** {@link UserInfoCredentials}: what a URL's user-info becomes, and what is left of the URL without it. */
class UserInfoCredentialsTests {

    private static String decoded(UserInfoCredentials credentials) {
        String value = credentials.authorization();
        assertThat(value).startsWith("Basic ");
        return new String(Base64.getDecoder().decode(value.substring("Basic ".length())), StandardCharsets.UTF_8);
    }

    @Test
    void aUriWithoutUserInfoHasNoCredentials() {
        assertThat(UserInfoCredentials.of(URI.create("http://127.0.0.1:8080/x"))).isNull();
    }

    @Test
    void aUriWithoutUserInfoIsLeftAsItIs() {
        URI uri = URI.create("http://127.0.0.1:8080/x");
        assertThat(UserInfoCredentials.strip(uri)).isSameAs(uri);
    }

    @Test
    void onlyTheFirstColonSeparatesUserFromPassword() {
        assertThat(decoded(UserInfoCredentials.of(URI.create("http://u:a:b@host/")))).isEqualTo("u:a:b");
    }

    @Test
    void anEmptyPasswordIsKept() {
        assertThat(decoded(UserInfoCredentials.of(URI.create("http://u:@host/")))).isEqualTo("u:");
    }

    @Test
    void unescapedNonAsciiCharactersAreEncodedAsUtf8() {
        assertThat(decoded(UserInfoCredentials.of(URI.create("http://jürgen:pässwörd@host/"))))
                .isEqualTo("jürgen:pässwörd");
    }

    @Test
    void stripKeepsPathQueryAndFragmentAsTheyWere() {
        assertThat(UserInfoCredentials.strip(URI.create("http://u:p@host:81/a%2Fb?q=%20#f%20")))
                .isEqualTo(URI.create("http://host:81/a%2Fb?q=%20#f%20"));
    }

    @Test
    void stripRemovesUserInfoFromARegistryBasedAuthority() {
        URI uri = URI.create("http://u:secret@bücher.example/x");
        assertThat(uri.getRawUserInfo()).as("java.net.URI reads this authority as registry-based").isNull();
        assertThat(UserInfoCredentials.strip(uri)).isEqualTo(URI.create("http://bücher.example/x"));
        assertThat(decoded(UserInfoCredentials.of(uri))).isEqualTo("u:secret");
    }

    @Test
    void toStringDoesNotShowTheCredentials() {
        UserInfoCredentials credentials = UserInfoCredentials.of(URI.create("http://user:secret@host/"));
        assertThat(credentials.toString()).doesNotContain("secret").doesNotContain("user")
                .doesNotContain(credentials.authorization().substring("Basic ".length()));
    }
}
