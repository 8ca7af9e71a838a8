package io.github.pooledtransport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link AddressFilter#PUBLIC_ONLY} denies exactly the table of {@code public-addresses.tsv}: the IANA
 * special-purpose registries, NAT64 included. The starter holds Spring Boot's
 * {@code InetAddressFilter.externalAddresses()} to the same table, so the two never drift apart.
 */
class PublicOnlyAddressFilterTest {

    static Stream<Arguments> table() throws IOException {
        try (InputStream in = PublicOnlyAddressFilterTest.class.getResourceAsStream("public-addresses.tsv")) {
            String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            return text.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).map(line -> line.split("\t"))
                    .map(fields -> Arguments.of(fields[0], fields[1])).toList().stream();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("table")
    void publicOnlyFollowsTheSharedTable(String literal, String expected) throws IOException {
        boolean allowed = AddressFilter.PUBLIC_ONLY.allows(InetAddress.getByName(literal));
        assertThat(allowed ? "allowed" : "denied").isEqualTo(expected);
    }
}
