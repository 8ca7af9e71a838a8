package io.github.pooledtransport.spring.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.spring.autoconfigure.TransportAutoConfiguration;

/**
 * {@code spring-autoconfigure-metadata.properties}, written by Spring Boot's auto-configure annotation processor,
 * lets Boot filter our auto-configurations on their class conditions and order them without loading them.
 */
class AutoConfigureMetadataTest {

    private static final String METADATA = "META-INF/spring-autoconfigure-metadata.properties";

    private static final String IMPORTS = "META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports";

    @Test
    void metadataListsEveryRegisteredAutoConfiguration() throws IOException {
        List<String> registered = StarterMetadata.read(IMPORTS).lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        assertThat(registered).as("auto-configurations registered in %s", IMPORTS).isNotEmpty();
        assertThat(metadata().stringPropertyNames()).containsAll(registered);
    }

    @Test
    void metadataCarriesTheClassConditionsAndOrdering() throws IOException {
        Properties metadata = metadata();
        String name = TransportAutoConfiguration.class.getName();
        assertThat(metadata.getProperty(name + ".ConditionalOnClass")).isEqualTo(Transport.class.getName());
        assertThat(metadata.getProperty(name + ".AutoConfigureBefore")).isEqualTo(
                "org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration");
    }

    private static Properties metadata() throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(StarterMetadata.read(METADATA)));
        return properties;
    }
}
