package io.github.pooledtransport.spring.actuate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;

import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.Transport;

/**
 * The meters of every {@link Transport} bean: one {@link TransportMetrics} per bean, its meters tagged with the
 * bean's name ({@code name}, like Spring Boot's connection-pool meters), each host tag limit applying per
 * transport. When bound, each transport gets its metrics as a listener ({@link Transport#addListener}), so
 * transports the application created itself are measured too.
 */
public class TransportMeters implements MeterBinder {

    private final ListableBeanFactory beans;

    private final ObjectProvider<Transport> primary;

    private final int maxHostTags;

    private final ReentrantLock lock = new ReentrantLock();

    /** By bean name, made on the first bind; guarded by {@code lock}. */
    private Map<String, TransportMetrics> metrics;

    /**
     * @param beans where the {@link Transport} beans are
     * @param primary the single or {@code @Primary} transport, whose host tags observations share
     * @param maxHostTags the most distinct host tag values per transport
     */
    public TransportMeters(ListableBeanFactory beans, ObjectProvider<Transport> primary, int maxHostTags) {
        this.beans = beans;
        this.primary = primary;
        this.maxHostTags = maxHostTags;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        metrics().values().forEach((m) -> m.bindTo(registry));
    }

    /** @return the metrics of each transport bean, by bean name */
    public Map<String, TransportMetrics> metrics() {
        this.lock.lock();
        try {
            if (this.metrics == null) {
                Map<String, TransportMetrics> made = new LinkedHashMap<>();
                this.beans.getBeansOfType(Transport.class).forEach((name, transport) -> {
                    TransportMetrics m = new TransportMetrics(transport, name, this.maxHostTags);
                    transport.addListener(m);
                    made.put(name, m);
                });
                this.metrics = made;
            }
            return this.metrics;
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * The {@code host} tag the single or {@code @Primary} transport's meters give a host key, for observations of
     * its calls.
     *
     * @param key the host key
     * @return its tag
     */
    public String hostTag(HostKey key) {
        Transport transport = this.primary.getIfUnique();
        if (transport != null) {
            for (TransportMetrics m : metrics().values()) {
                if (m.transport() == transport) {
                    return m.hostTag(key);
                }
            }
        }
        return key.toString();
    }
}
