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
 * <p>Every name must be an RFC 9110 token and no value may contain CR, LF, NUL or a character above
 * {@code U+00FF}: a header that could split the message, or that could not be sent as the ISO-8859-1 bytes
 * HTTP/1.1 writes, is rejected when it is added, before anything reaches the wire. A {@link Request} is
 * stricter still: it takes no value with any other control character but HTAB (U+0001–U+0008,
 * U+000B–U+001F, DEL and the C1 controls U+0080–U+009F), which the HTTP/1.1 writer would otherwise replace with
 * {@code ?}. Response headers may hold those, since they are the bytes a server sent. Error messages name the
 * header but never repeat its value, which may be a credential.
 */
public final class Headers {

    /** Headers with no fields. */
    public static final Headers EMPTY = new Headers(new String[0], false);

    /** Alternating names and values. */
    private final String[] namesAndValues;

    /**
     * Whether a value may hold a control character that is accepted from a server but never sent; computed
     * while the values are checked, so that {@link #requireSendable()} costs nothing for ordinary headers.
     */
    private final boolean mayBeUnsendable;

    private Headers(String[] namesAndValues, boolean mayBeUnsendable) {
        this.namesAndValues = namesAndValues;
        this.mayBeUnsendable = mayBeUnsendable;
    }

    /**
     * Returns headers made of alternating names and values, validated.
     *
     * @param namesAndValues name, value, name, value…
     * @return the headers
     * @throws IllegalArgumentException on an odd count, an invalid name or a value with CR, LF, NUL or a
     * character above {@code U+00FF}
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
        builder.mayBeUnsendable = this.mayBeUnsendable;
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

    /**
     * Throws unless every value can go on the wire as it is: no control character but HTAB. Free unless a value
     * held one when it was added.
     *
     * @throws IllegalArgumentException naming the first such header, never its value
     */
    void requireSendable() {
        if (!this.mayBeUnsendable) {
            return;
        }
        for (int i = 0; i < this.namesAndValues.length; i += 2) {
            checkValue(this.namesAndValues[i], this.namesAndValues[i + 1], true);
        }
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

    /**
     * Checks a value in one pass over its characters, as every request runs it for every header: visible ASCII
     * and SP take two comparisons per character, everything rarer is sorted out only when it occurs.
     *
     * @param sending whether the value is to be sent, so that every control character but HTAB is rejected;
     * otherwise only those that can split a message (CR, LF, NUL) are, and characters above U+00FF
     * @return whether the value holds a control character that may be received but not sent
     */
    static boolean checkValue(String name, String value, boolean sending) {
        Objects.requireNonNull(value, () -> "value of header " + name);
        boolean unsendable = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || (c >= 0x7F && (c <= 0x9F || c > 0xFF))) {
                if (c > 0xFF) {
                    // HttpCore writes ISO-8859-1 and turns anything else into '?': the server would get another
                    // value. The character itself is not named, it may be part of a secret.
                    throw new IllegalArgumentException(String.format("Header '%s' has a character above U+00FF "
                            + "in its value at index %d; values are sent as ISO-8859-1, so encode it first "
                            + "(for example as RFC 8187 or percent-encoded UTF-8)", name, i));
                }
                // RFC 9110 5.5: CR, LF and NUL are never allowed; they would let a value split the message.
                if (sending || c == '\r' || c == '\n' || c == '\0') {
                    throw new IllegalArgumentException(String.format(
                            "Header '%s' has an invalid character %s in its value at index %d", name, describe(c), i));
                }
                unsendable = true;
            }
        }
        return unsendable;
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
            case 0x7F -> "DEL";
            default -> String.format("U+%04X", (int) c);
        };
    }

    /** The name with control characters escaped, so that an error message cannot forge log lines. */
    static String printable(String s) {
        StringBuilder result = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\r' -> result.append("\\r");
                case '\n' -> result.append("\\n");
                case '\0' -> result.append("\\0");
                default -> {
                    if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
                        result.append(String.format("\\u%04X", (int) c));
                    }
                    else {
                        result.append(c);
                    }
                }
            }
        }
        return result.toString();
    }

    /** Collects header fields, validating each as it is added. */
    public static final class Builder {

        private final List<String> namesAndValues = new ArrayList<>(16);

        /** Set once a value with a receive-only control character was added; never cleared by remove. */
        private boolean mayBeUnsendable;

        /** Creates an empty builder. */
        public Builder() {
        }

        /**
         * Appends a field.
         *
         * @param name the header name, an RFC 9110 token
         * @param value the value, without CR, LF, NUL or characters above {@code U+00FF}; leading and trailing
         * whitespace is removed
         * @return this builder
         */
        public Builder add(String name, String value) {
            checkName(name);
            return append(name, value, checkValue(name, value, false));
        }

        /** Appends a field that is to be sent: no control character but HTAB either. */
        Builder addSendable(String name, String value) {
            checkName(name);
            return append(name, value, checkValue(name, value, true));
        }

        /**
         * Replaces every field with this name by one field.
         *
         * @param name the header name
         * @param value the value
         * @return this builder
         */
        public Builder set(String name, String value) {
            checkName(name);
            boolean unsendable = checkValue(name, value, false); // before anything is removed
            return remove(name).append(name, value, unsendable);
        }

        /** Replaces every field with this name by one field that is to be sent. */
        Builder setSendable(String name, String value) {
            checkName(name);
            checkValue(name, value, true);
            return remove(name).append(name, value, false);
        }

        private Builder append(String name, String value, boolean unsendable) {
            this.mayBeUnsendable |= unsendable;
            this.namesAndValues.add(name);
            this.namesAndValues.add(value.strip());
            return this;
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
            return this.namesAndValues.isEmpty() ? EMPTY
                    : new Headers(this.namesAndValues.toArray(new String[0]), this.mayBeUnsendable);
        }
    }
}
