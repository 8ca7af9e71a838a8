package io.github.pooledtransport.spring.http;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.springframework.util.LinkedCaseInsensitiveMap;
import org.springframework.util.MultiValueMap;

import io.github.pooledtransport.core.Headers;

/**
 * A response's transport {@link Headers} seen as Spring's read-only {@link MultiValueMap}, without copying them
 * into a case-insensitive map for every response: a lookup is a case-insensitive scan of the response's few
 * fields. Names keep the spelling of their first occurrence; values keep their order.
 */
final class TransportHeadersAdapter extends AbstractMap<String, List<String>>
        implements MultiValueMap<String, String> {

    private final Headers headers;

    /** Built on first iteration only: most callers just look up Content-Type and Content-Length. */
    private Set<Map.Entry<String, List<String>>> entries;

    TransportHeadersAdapter(Headers headers) {
        this.headers = headers;
    }

    @Override
    public String getFirst(String name) {
        for (int i = 0; i < this.headers.size(); i++) {
            if (this.headers.name(i).equalsIgnoreCase(name)) {
                return this.headers.value(i);
            }
        }
        return null;
    }

    @Override
    public List<String> get(Object name) {
        if (!(name instanceof String text)) {
            return null;
        }
        List<String> values = this.headers.values(text);
        return values.isEmpty() ? null : values;
    }

    @Override
    public boolean containsKey(Object name) {
        return (name instanceof String text) && getFirst(text) != null;
    }

    @Override
    public boolean isEmpty() {
        return this.headers.size() == 0;
    }

    @Override
    public Set<Map.Entry<String, List<String>>> entrySet() {
        if (this.entries == null) {
            Map<String, List<String>> grouped = new LinkedCaseInsensitiveMap<>(this.headers.size(), Locale.ROOT);
            for (int i = 0; i < this.headers.size(); i++) {
                grouped.computeIfAbsent(this.headers.name(i), n -> new ArrayList<>(1)).add(this.headers.value(i));
            }
            grouped.replaceAll((name, values) -> Collections.unmodifiableList(values));
            this.entries = Collections.unmodifiableMap(grouped).entrySet();
        }
        return this.entries;
    }

    @Override
    public Map<String, String> toSingleValueMap() {
        Map<String, String> result = new LinkedHashMap<>();
        entrySet().forEach(entry -> result.put(entry.getKey(), entry.getValue().get(0)));
        return result;
    }

    @Override
    public void add(String name, String value) {
        throw readOnly();
    }

    @Override
    public void addAll(String name, List<? extends String> values) {
        throw readOnly();
    }

    @Override
    public void addAll(MultiValueMap<String, String> values) {
        throw readOnly();
    }

    @Override
    public void set(String name, String value) {
        throw readOnly();
    }

    @Override
    public void setAll(Map<String, String> values) {
        throw readOnly();
    }

    private static UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException("Response headers are read-only");
    }
}
