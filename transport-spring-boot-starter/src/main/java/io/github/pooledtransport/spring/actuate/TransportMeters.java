package io.github.pooledtransport.spring.actuate;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.BeanFactoryUtils;
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

    /** By bean name, made on the first bind; read without the lock once made. */
    private volatile Map<String, TransportMetrics> metrics;

    /** The metrics whose host tags observations share, once known. */
    private volatile TransportMetrics observed;

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

    /**
     * Binds every transport's meters. Boot binds once, to its composite registry, after all singletons exist; a
     * second registry bound directly gets the meters of hosts called from then on only.
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        metrics().values().forEach((m) -> m.bindTo(registry));
    }

    /** @return the metrics of each singleton transport bean, by bean name */
    public Map<String, TransportMetrics> metrics() {
        Map<String, TransportMetrics> made = this.metrics;
        if (made != null) {
            return made;
        }
        this.lock.lock();
        try {
            if (this.metrics == null) {
                Map<String, TransportMetrics> byName = new LinkedHashMap<>();
                BeanFactoryUtils.beansOfTypeIncludingAncestors(this.beans, Transport.class, false, true)
                        .forEach((name, transport) -> {
                            TransportMetrics m = new TransportMetrics(transport, name, this.maxHostTags);
                            transport.addListener(m);
                            byName.put(name, m);
                        });
                this.metrics = Collections.unmodifiableMap(byName);
            }
            return this.metrics;
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * The {@code host} tag the single or {@code @Primary} transport's meters give a host key, for observations of
     * its calls (the observations of the starter's transport). Its meters of expired hosts then include the
     * observation timers.
     *
     * @param key the host key
     * @return its tag
     */
    public String hostTag(HostKey key) {
        TransportMetrics m = this.observed;
        if (m == null) {
            m = findObserved();
            if (m == null) {
                return key.toString();
            }
        }
        return m.hostTag(key);
    }

    private TransportMetrics findObserved() {
        Map<String, TransportMetrics> bound = this.metrics;
        if (bound == null) {
            // Not bound yet (a call while the context starts): building the map now would miss the transports
            // created after this call, so the key stands as it is until Boot binds the meters.
            return null;
        }
        Transport transport = this.primary.getIfUnique();
        if (transport == null) {
            return null;
        }
        for (TransportMetrics m : bound.values()) {
            if (m.transport() == transport) {
                m.shareHostTagsWithObservations();
                this.observed = m;
                return m;
            }
        }
        return null;
    }
}
