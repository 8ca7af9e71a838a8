package io.github.pooledtransport.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.StaticListableBeanFactory;

import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.core.TransportConfig;

/**
 * {@link TransportMeters} measures every transport bean there is when Boot binds it, even when a call asked for a
 * host tag while the context was still starting and not every transport existed yet.
 */
class TransportMetersTests {

    private final Transport first = new Transport(TransportConfig.defaults());

    private final Transport second = new Transport(TransportConfig.defaults());

    @AfterEach
    void close() {
        this.first.close();
        this.second.close();
    }

    @Test
    void aHostTagAskedForBeforeBindingDoesNotFixWhichTransportsAreMeasured() {
        StaticListableBeanFactory beans = new StaticListableBeanFactory();
        beans.addBean("first", this.first);
        TransportMeters meters = new TransportMeters(beans, beans.getBeanProvider(Transport.class), 50);
        HostKey key = HostKey.of(java.net.URI.create("http://api.example.test/"));

        assertThat(meters.hostTag(key)).as("before binding, the key as it is").isEqualTo(key.toString());
        beans.addBean("second", this.second); // created later in the start-up
        meters.bindTo(new SimpleMeterRegistry());

        assertThat(meters.metrics()).containsOnlyKeys("first", "second");
    }
}
