package io.github.pooledtransport.spring.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Keeps {@code docs/configuration.md} in sync with the configuration metadata the starter ships: every
 * {@code transport.*} property is documented with the default the metadata declares, and the page documents no
 * property that does not exist.
 */
class PropertyReferenceInSyncTest {

    private static final Path PAGE = Path.of("..", "docs", "configuration.md");

    /** A table row: | `transport.x` | `default` | meaning |. */
    private static final Pattern ROW = Pattern.compile("^\\| `(transport\\.[^`]+)`(?: / `([^`]+)`)? \\| ([^|]*) \\|",
            Pattern.MULTILINE);

    @Test
    void everyPropertyInTheMetadataIsDocumentedWithItsDefault() throws IOException {
        String page = Files.readString(PAGE);
        assertThat(metadata().required("properties").toString()).as("the starter's own metadata was generated")
                .contains("\"transport.max-idle-conns\"");
        List<String> missing = new ArrayList<>();
        List<String> wrongDefaults = new ArrayList<>();
        for (JsonNode property : metadata().required("properties")) {
            String name = property.required("name").asString();
            if (!name.startsWith("transport.")) {
                continue;
            }
            String documented = documentedDefault(page, name);
            if (documented == null) {
                missing.add(name);
                continue;
            }
            JsonNode defaultValue = property.get("defaultValue");
            if (defaultValue != null && !defaultValue.isNull() && !defaultValue.isArray()
                    && !documented.equalsIgnoreCase("`" + defaultValue.asString() + "`")) {
                wrongDefaults.add(name + ": metadata " + defaultValue.asString() + ", page " + documented);
            }
        }
        assertThat(missing).as("properties missing from docs/configuration.md").isEmpty();
        assertThat(wrongDefaults).as("defaults that differ between metadata and docs").isEmpty();
    }

    @Test
    void thePageDocumentsOnlyPropertiesThatExist() throws IOException {
        String metadata = metadata().required("properties").toString();
        Matcher row = ROW.matcher(Files.readString(PAGE));
        List<String> unknown = new ArrayList<>();
        while (row.find()) {
            String name = row.group(1).replaceAll("\\[[^]]*]", "").replace(".*", "");
            if (!metadata.contains("\"" + name + "\"") && !metadata.contains("\"" + stripLast(name) + "\"")) {
                unknown.add(row.group(1));
            }
        }
        assertThat(unknown).as("documented but not in the metadata").isEmpty();
    }

    private static String stripLast(String name) {
        return name.substring(0, name.lastIndexOf('.'));
    }

    private static String documentedDefault(String page, String name) {
        Matcher row = ROW.matcher(page);
        while (row.find()) {
            String documented = row.group(1);
            String sibling = row.group(2);
            if (documented.equals(name) || (sibling != null && stripLast(documented).concat("." + sibling).equals(name))
                    || documented.replace(".*", "").equals(name)) {
                return row.group(3).trim();
            }
            if (documented.startsWith("transport.hosts[") && name.equals("transport.hosts")) {
                return row.group(3).trim();
            }
        }
        return null;
    }

    private static JsonNode metadata() {
        return StarterMetadata.configurationMetadata();
    }
}
