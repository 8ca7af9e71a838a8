package io.github.pooledtransport.spring.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.http.client.InetAddressFilter;

/**
 * Spring Boot's {@link InetAddressFilter#externalAddresses()} denies exactly the table the core's
 * {@code AddressFilter.PUBLIC_ONLY} is held to ({@code transport-core/src/test/resources/.../public-addresses.tsv}):
 * if Boot's list changes, this fails and the core follows.
 */
class PublicAddressesTableTests {

    private static final Path TABLE = Path.of("../transport-core/src/test/resources/io/github/pooledtransport/core/"
            + "public-addresses.tsv");

    static Stream<Arguments> table() throws IOException {
        return Files.readAllLines(TABLE).stream().filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(line -> line.split("\t")).map(fields -> Arguments.of(fields[0], fields[1]));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("table")
    void externalAddressesFollowsTheSharedTable(String literal, String expected) throws IOException {
        boolean allowed = InetAddressFilter.externalAddresses().matches(InetAddress.getByName(literal));
        assertThat(allowed ? "allowed" : "denied").isEqualTo(expected);
    }
}
