package io.github.pooledtransport.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * An immutable, ordered list of HTTP header fields. Names compare case-insensitively; the same name may
 * appear more than once.
 *
 * <p>Every name must be an RFC 9110 token and no value may contain CR, LF or NUL: a header that could
 * split the message is rejected when it is added, before anything reaches the wire. Error messages name
 * the header but never repeat its value, which may be a credential.
 */
public final class Headers {

    /** Headers with no fields. */
    public static final Headers EMPTY = new Headers(new String[0]);

    /** Alternating names and values. */
    private final String[] namesAndValues;

    private Headers(String[] namesAndValues) {
        this.namesAndValues = namesAndValues;
    }

    /**
     * Returns headers made of alternating names and values, validated.
     *
     * @param namesAndValues name, value, name, value…
     * @return the headers
     * @throws IllegalArgumentException on an odd count, an invalid name or a value with CR, LF or NUL
     */
    public static Headers of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("Expected alternating header names and values");
        }
        Builder builder = new Builder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            builder.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return builder.build();
    }

    /** @return the number of fields */
    public int size() {
        return this.namesAndValues.length / 2;
    }

    /**
     * @param index a field index, {@code 0 <= index < size()}
     * @return the field's name as it was added
     */
    public String name(int index) {
        return this.namesAndValues[index * 2];
    }

    /**
     * @param index a field index, {@code 0 <= index < size()}
     * @return the field's value
     */
    public String value(int index) {
        return this.namesAndValues[index * 2 + 1];
    }

    /**
     * @param name a header name, any case
     * @return the last value for that name, or {@code null}
     */
    public String get(String name) {
        for (int i = this.namesAndValues.length - 2; i >= 0; i -= 2) {
            if (name.equalsIgnoreCase(this.namesAndValues[i])) {
                return this.namesAndValues[i + 1];
            }
        }
        return null;
    }

    /**
     * @param name a header name, any case
     * @return every value for that name, in order; empty if none
     */
    public List<String> values(String name) {
        List<String> result = null;
        for (int i = 0; i < this.namesAndValues.length; i += 2) {
            if (name.equalsIgnoreCase(this.namesAndValues[i])) {
                if (result == null) {
                    result = new ArrayList<>(2);
                }
                result.add(this.namesAndValues[i + 1]);
            }
        }
        return (result != null) ? Collections.unmodifiableList(result) : List.of();
    }

    /**
     * @param name a header name, any case
     * @return whether at least one field has that name
     */
    public boolean contains(String name) {
        return get(name) != null;
    }

    /** @return the distinct names, lower-cased, sorted */
    public Set<String> names() {
        Set<String> names = new TreeSet<>();
        for (int i = 0; i < this.namesAndValues.length; i += 2) {
            names.add(this.namesAndValues[i].toLowerCase(Locale.ROOT));
        }
        return Collections.unmodifiableSet(names);
    }

    /** @return a builder that starts with these fields */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.namesAndValues.addAll(Arrays.asList(this.namesAndValues));
        return builder;
    }

    @Override
    public boolean equals(Object other) {
        return (other instanceof Headers that) && Arrays.equals(this.namesAndValues, that.namesAndValues);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(this.namesAndValues);
    }

    /** Lists the header names only: values may hold credentials. */
    @Override
    public String toString() {
        StringBuilder result = new StringBuilder("Headers[");
        for (int i = 0; i < this.namesAndValues.length; i += 2) {
            result.append((i == 0) ? "" : ", ").append(this.namesAndValues[i]);
        }
        return result.append(']').toString();
    }

    static void checkName(String name) {
        Objects.requireNonNull(name, "header name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("Header name is empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isTokenChar(c)) {
                throw new IllegalArgumentException(String.format(
                        "Header name '%s' has an invalid character %s at index %d",
                        printable(name), describe(c), i));
            }
        }
    }

    static void checkValue(String name, String value) {
        Objects.requireNonNull(value, () -> "value of header " + name);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            // RFC 9110 5.5: CR, LF and NUL are never allowed; they would let a value split the message.
            if (c == '\r' || c == '\n' || c == '\0') {
                throw new IllegalArgumentException(String.format(
                        "Header '%s' has an invalid character %s in its value at index %d", name, describe(c), i));
            }
        }
    }

    static boolean isTokenChar(char c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static String describe(char c) {
        return switch (c) {
            case '\r' -> "CR";
            case '\n' -> "LF";
            case '\0' -> "NUL";
            default -> String.format("U+%04X", (int) c);
        };
    }

    private static String printable(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
    }

    /** Collects header fields, validating each as it is added. */
    public static final class Builder {

        private final List<String> namesAndValues = new ArrayList<>(16);

        /** Creates an empty builder. */
        public Builder() {
        }

        /**
         * Appends a field.
         *
         * @param name the header name, an RFC 9110 token
         * @param value the value, without CR, LF or NUL
         * @return this builder
         */
        public Builder add(String name, String value) {
            checkName(name);
            checkValue(name, value);
            this.namesAndValues.add(name);
            this.namesAndValues.add(value.strip());
            return this;
        }

        /**
         * Replaces every field with this name by one field.
         *
         * @param name the header name
         * @param value the value
         * @return this builder
         */
        public Builder set(String name, String value) {
            remove(name);
            return add(name, value);
        }

        /**
         * Removes every field with this name.
         *
         * @param name the header name, any case
         * @return this builder
         */
        public Builder remove(String name) {
            for (int i = this.namesAndValues.size() - 2; i >= 0; i -= 2) {
                if (name.equalsIgnoreCase(this.namesAndValues.get(i))) {
                    this.namesAndValues.remove(i + 1);
                    this.namesAndValues.remove(i);
                }
            }
            return this;
        }

        /** @return the immutable headers */
        public Headers build() {
            return this.namesAndValues.isEmpty() ? EMPTY : new Headers(this.namesAndValues.toArray(new String[0]));
        }
    }
}
