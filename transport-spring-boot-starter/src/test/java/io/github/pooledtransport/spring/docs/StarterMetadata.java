package io.github.pooledtransport.spring.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import io.github.pooledtransport.spring.autoconfigure.TransportProperties;

/**
 * The metadata files the build writes into the starter's own classes directory. Read from there, not by
 * resource name: every Spring Boot jar on the test class path ships files with the same names.
 */
final class StarterMetadata {

    private StarterMetadata() {
    }

    /** The classes directory (target/classes) the starter's main code was compiled to. */
    static Path classesDirectory() {
        try {
            return Path.of(TransportProperties.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        }
        catch (URISyntaxException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** A file of the starter's classes directory, found through the class loader so it is on the class path. */
    static URL resource(String name) {
        try {
            List<URL> ours = new ArrayList<>();
            for (URL url : Collections.list(StarterMetadata.class.getClassLoader().getResources(name))) {
                if (url.getProtocol().equals("file") && Path.of(url.toURI()).startsWith(classesDirectory())) {
                    ours.add(url);
                }
            }
            assertThat(ours).as("%s in %s, on the class path", name, classesDirectory()).hasSize(1);
            return ours.get(0);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (URISyntaxException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** The configuration metadata the processor wrote, merged with the additional metadata of the sources. */
    static JsonNode configurationMetadata() {
        try (InputStream in = resource("META-INF/spring-configuration-metadata.json").openStream()) {
            return new ObjectMapper().readTree(in);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** A text file of the starter's classes directory. */
    static String read(String name) {
        try (InputStream in = resource(name).openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
