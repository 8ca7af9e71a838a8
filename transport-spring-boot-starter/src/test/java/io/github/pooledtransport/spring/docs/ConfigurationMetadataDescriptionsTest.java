package io.github.pooledtransport.spring.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The descriptions an IDE shows for our properties follow Spring Boot's conventions: one short sentence, booleans
 * start with "Whether", lists with "Comma-separated list of", and no default in the text (the metadata carries
 * it). The long form of each setting lives in {@code docs/configuration.md}.
 */
class ConfigurationMetadataDescriptionsTest {

    /** A sentence end inside the text: the description would be more than one sentence. */
    private static final Pattern SENTENCE_BREAK = Pattern.compile("[.!?;]\\s|\\R");

    private static final Pattern DEFAULT = Pattern.compile("(?i)\\bdefaults?\\b");

    private static final int MAX_LENGTH = 120;

    @Test
    void everyPropertyHasADescription() {
        assertThat(violations((type, description) -> description.isBlank())).as("properties without a description")
                .isEmpty();
    }

    @Test
    void everyDescriptionIsOneSentenceEndingWithAPeriod() {
        assertThat(violations((type, description) -> !description.endsWith(".")
                || SENTENCE_BREAK.matcher(description.substring(0, description.length() - 1)).find()))
                .as("descriptions that are not one sentence ending with a period").isEmpty();
    }

    @Test
    void everyDescriptionIsShort() {
        assertThat(violations((type, description) -> description.length() > MAX_LENGTH))
                .as("descriptions longer than %d characters (the long form belongs in docs/configuration.md)",
                        MAX_LENGTH)
                .isEmpty();
    }

    @Test
    void booleanDescriptionsStartWithWhether() {
        assertThat(violations((type, description) -> isBoolean(type) && !description.startsWith("Whether ")))
                .as("boolean properties whose description does not start with \"Whether\"").isEmpty();
    }

    @Test
    void listDescriptionsStartWithCommaSeparatedListOf() {
        assertThat(violations((type, description) -> isList(type)
                && !description.startsWith("Comma-separated list of ")))
                .as("list properties whose description does not start with \"Comma-separated list of\"").isEmpty();
    }

    @Test
    void noDescriptionStatesADefault() {
        assertThat(violations((type, description) -> DEFAULT.matcher(description).find()))
                .as("descriptions that mention a default (the metadata's defaultValue carries it)").isEmpty();
    }

    @Test
    void everyHintValueDescriptionIsOneSentenceEndingWithAPeriod() {
        List<String> violations = new ArrayList<>();
        for (JsonNode hint : StarterMetadata.configurationMetadata().required("hints")) {
            for (JsonNode value : hint.path("values")) {
                String description = value.path("description").asString("");
                if (!description.endsWith(".")
                        || SENTENCE_BREAK.matcher(description.substring(0, description.length() - 1)).find()
                        || description.length() > MAX_LENGTH || DEFAULT.matcher(description).find()) {
                    violations.add(hint.required("name").asString() + "=" + value.required("value").asString() + ": "
                            + description);
                }
            }
        }
        assertThat(violations).as("hint values whose description is not one short sentence").isEmpty();
    }

    /** The properties, as name: description, whose (type, description) the predicate rejects. */
    private static List<String> violations(BiPredicate<String, String> rejects) {
        Map<String, JsonNode> properties = new LinkedHashMap<>();
        StarterMetadata.configurationMetadata().required("properties")
                .forEach(property -> properties.put(property.required("name").asString(), property));
        assertThat(properties).as("the starter's metadata was generated").containsKey("transport.max-idle-conns");
        List<String> violations = new ArrayList<>();
        properties.forEach((name, property) -> {
            String type = property.path("type").asString("");
            String description = property.path("description").asString("");
            if (rejects.test(type, description)) {
                violations.add(name + ": " + description);
            }
        });
        return violations;
    }

    private static boolean isBoolean(String type) {
        return type.equals("java.lang.Boolean") || type.equals("boolean");
    }

    private static boolean isList(String type) {
        return type.startsWith("java.util.List<") || type.startsWith("java.util.Set<")
                || type.startsWith("java.util.Collection<") || type.endsWith("[]");
    }
}
