package io.github.pooledtransport.spring.http;

import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.springframework.http.HttpHeaders;
import org.springframework.util.CollectionUtils;
import org.springframework.util.LinkedCaseInsensitiveMap;
import org.springframework.util.MultiValueMap;

import io.github.pooledtransport.core.Headers;

/**
 * A response's transport {@link Headers} seen as Spring's {@link MultiValueMap} without copying them into a
 * case-insensitive map for every response: a lookup is a case-insensitive scan of the response's few fields.
 * Names keep the spelling of their first occurrence; values keep their order.
 * <p>
 * The response hands it out wrapped read-only, but Spring's {@code new HttpHeaders(responseHeaders)} unwraps that
 * promising a mutable copy, so the first change copies the fields into a {@link LinkedCaseInsensitiveMap} and every
 * call from then on goes to the copy. Serialized, it is that copy.
 */
final class TransportHeadersAdapter extends AbstractMap<String, List<String>>
        implements MultiValueMap<String, String>, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Headers headers;

    /** The fields grouped by name; built on first iteration only (most callers look up two fields). */
    private transient Map<String, List<String>> grouped;

    /** The mutable copy, once anything was changed. */
    private transient MultiValueMap<String, String> copy;

    TransportHeadersAdapter(Headers headers) {
        this.headers = headers;
    }

    @Override
    public String getFirst(String name) {
        if (this.copy != null) {
            return this.copy.getFirst(name);
        }
        for (int i = 0; i < this.headers.size(); i++) {
            if (this.headers.name(i).equalsIgnoreCase(name)) {
                return this.headers.value(i);
            }
        }
        return null;
    }

    @Override
    public List<String> get(Object name) {
        if (this.copy != null) {
            return this.copy.get(name);
        }
        if (this.grouped != null) {
            return this.grouped.get(name);
        }
        if (!(name instanceof String text)) {
            return null;
        }
        List<String> values = this.headers.values(text);
        return values.isEmpty() ? null : values;
    }

    @Override
    public boolean containsKey(Object name) {
        if (this.copy != null) {
            return this.copy.containsKey(name);
        }
        return (name instanceof String text) && getFirst(text) != null;
    }

    @Override
    public boolean isEmpty() {
        return (this.copy != null) ? this.copy.isEmpty() : this.headers.size() == 0;
    }

    @Override
    public Set<Map.Entry<String, List<String>>> entrySet() {
        return (this.copy != null) ? this.copy.entrySet() : grouped().entrySet();
    }

    private Map<String, List<String>> grouped() {
        if (this.grouped == null) {
            Map<String, List<String>> result = new LinkedCaseInsensitiveMap<>(this.headers.size(), Locale.ROOT);
            for (int i = 0; i < this.headers.size(); i++) {
                result.computeIfAbsent(this.headers.name(i), n -> new ArrayList<>(1)).add(this.headers.value(i));
            }
            result.replaceAll((name, values) -> Collections.unmodifiableList(values));
            this.grouped = Collections.unmodifiableMap(result);
        }
        return this.grouped;
    }

    private MultiValueMap<String, String> copy() {
        if (this.copy == null) {
            this.copy = newCopy();
        }
        return this.copy;
    }

    private MultiValueMap<String, String> newCopy() {
        MultiValueMap<String, String> result = CollectionUtils.toMultiValueMap(
                new LinkedCaseInsensitiveMap<>(this.headers.size(), Locale.ROOT));
        if (this.copy != null) {
            this.copy.forEach(result::addAll);
        }
        else {
            for (int i = 0; i < this.headers.size(); i++) {
                result.add(this.headers.name(i), this.headers.value(i));
            }
        }
        return result;
    }

    @Override
    public Map<String, String> toSingleValueMap() {
        if (this.copy != null) {
            return this.copy.toSingleValueMap();
        }
        Map<String, String> result = new LinkedHashMap<>();
        grouped().forEach((name, values) -> result.put(name, values.get(0)));
        return result;
    }

    @Override
    public void add(String name, String value) {
        copy().add(name, value);
    }

    @Override
    public void addAll(String name, List<? extends String> values) {
        copy().addAll(name, values);
    }

    @Override
    public void addAll(MultiValueMap<String, String> values) {
        copy().addAll(values);
    }

    @Override
    public void set(String name, String value) {
        copy().set(name, value);
    }

    @Override
    public void setAll(Map<String, String> values) {
        copy().setAll(values);
    }

    @Override
    public List<String> put(String name, List<String> values) {
        return copy().put(name, values);
    }

    @Override
    public List<String> remove(Object name) {
        return copy().remove(name);
    }

    @Override
    public void putAll(Map<? extends String, ? extends List<String>> values) {
        copy().putAll(values);
    }

    @Override
    public void clear() {
        copy().clear();
    }

    @Override
    public String toString() {
        return HttpHeaders.formatHeaders(this);
    }

    @Serial
    private Object writeReplace() {
        return newCopy();
    }
}
