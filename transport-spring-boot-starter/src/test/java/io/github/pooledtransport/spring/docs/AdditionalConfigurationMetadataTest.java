package io.github.pooledtransport.spring.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import tools.jackson.databind.JsonNode;

import io.github.pooledtransport.core.LeakDetection;

/**
 * What {@code additional-spring-configuration-metadata.json} adds to the metadata the processor generates: the
 * health indicator's switch and the values of properties that take a fixed set of them.
 */
class AdditionalConfigurationMetadataTest {

    @Test
    void metadataDeclaresTheHealthIndicatorSwitch() {
        JsonNode property = property("management.health.transport.enabled");
        assertThat(property.path("type").asString()).isEqualTo("java.lang.Boolean");
        assertThat(property.path("defaultValue").isBoolean()).as("defaultValue is a JSON boolean").isTrue();
        assertThat(property.path("defaultValue").asBoolean()).isTrue();
        assertThat(property.path("description").asString()).isEqualTo("Whether to enable transport health check.");
    }

    @Test
    void leakDetectionHintsOfferEveryLeakDetectionValueAndNothingElse() {
        List<LeakDetection> bound = new ArrayList<>();
        for (String value : hintValues("transport.leak-detection")) {
            bound.add(new Binder(new MapConfigurationPropertySource(Map.of("transport.leak-detection", value)))
                    .bind("transport.leak-detection", LeakDetection.class)
                    .orElseThrow(() -> new AssertionError("hint value " + value + " does not bind")));
        }
        assertThat(bound).as("the hint values, bound as transport.leak-detection").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(EnumSet.allOf(LeakDetection.class));
    }

    @Test
    void leakDetectionHintValuesAreWrittenAsTheDefaultIs() {
        assertThat(hintValues("transport.leak-detection")).as("kebab case, like the metadata's defaultValue")
                .contains(property("transport.leak-detection").path("defaultValue").asString())
                .allMatch(value -> value.matches("[a-z]+(-[a-z]+)*"));
    }

    private static JsonNode property(String name) {
        for (JsonNode property : StarterMetadata.configurationMetadata().required("properties")) {
            if (property.required("name").asString().equals(name)) {
                return property;
            }
        }
        throw new AssertionError(name + " is not in the starter's configuration metadata");
    }

    private static Set<String> hintValues(String name) {
        for (JsonNode hint : StarterMetadata.configurationMetadata().required("hints")) {
            if (hint.required("name").asString().equals(name)) {
                Set<String> values = new java.util.LinkedHashSet<>();
                hint.required("values").forEach(value -> values.add(value.required("value").asString()));
                return values;
            }
        }
        throw new AssertionError("no hint for " + name + " in the starter's configuration metadata");
    }
}
