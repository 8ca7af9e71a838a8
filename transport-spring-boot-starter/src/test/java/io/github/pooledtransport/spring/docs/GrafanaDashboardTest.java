package io.github.pooledtransport.spring.docs;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.github.pooledtransport.core.ConnectionInfo;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.Transport;
import io.github.pooledtransport.spring.actuate.TransportMetrics;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboard in {@code docs/grafana} queries only series the starter really exports, as a Prometheus
 * registry names them; and no exported name carries its unit twice.
 */
class GrafanaDashboardTest {

    private static final Path DASHBOARD = Path.of("..", "docs", "grafana", "pooled-transport.json");

    private static final Pattern SERIES = Pattern.compile("\\btransport_[a-z_]+");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private Transport transport;

    @BeforeEach
    void exportEveryMeter() {
        this.transport = Transport.create();
        StaticListableBeanFactory beans = new StaticListableBeanFactory();
        beans.addBean("transport", this.transport);
        TransportMetrics metrics = new TransportMetrics(beans.getBeanProvider(Transport.class), 10);
        metrics.bindTo(this.registry);
        // Every event a dial and a request produce, as the transport delivers them, for one host.
        HostKey key = HostKey.of(URI.create("https://api.example.com/"));
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 443);
        metrics.getConn(key);
        metrics.dnsDone(key, "api.example.com", List.of(address.getAddress()), null, Duration.ofMillis(2));
        metrics.connectDone(key, address, null, Duration.ofMillis(3));
        metrics.tlsHandshakeDone(key, "TLSv1.3", "TLS_AES_128_GCM_SHA256", null, Duration.ofMillis(4));
        metrics.gotConn(key, new ConnectionInfo(1, false, false, Duration.ZERO, Duration.ofMillis(10)));
    }

    @AfterEach
    void close() {
        this.transport.close();
    }

    @Test
    void everyQueryNamesASeriesTheStarterExports() throws IOException {
        Set<String> exported = exportedSeries();
        JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
        Set<String> queried = new TreeSet<>();
        for (JsonNode panel : dashboard.required("panels")) {
            for (JsonNode target : panel.required("targets")) {
                Matcher matcher = SERIES.matcher(target.required("expr").asString());
                while (matcher.find()) {
                    queried.add(matcher.group());
                }
            }
        }
        for (JsonNode variable : dashboard.required("templating").required("list")) {
            if (variable.has("query") && variable.get("query").isString()) {
                Matcher matcher = SERIES.matcher(variable.get("query").asString());
                while (matcher.find()) {
                    queried.add(matcher.group());
                }
            }
        }
        assertThat(queried).hasSizeGreaterThan(10);
        assertThat(exported).containsAll(queried);
    }

    @Test
    void noExportedNameCarriesItsUnitTwice() {
        Set<String> exported = exportedSeries();
        assertThat(exported).contains("transport_pool_opened_connections_total", "transport_pool_reused_requests_total",
                "transport_pool_closed_connections_total", "transport_pool_waiting_requests",
                "transport_pool_acquire_seconds_count", "transport_connect_seconds_count");
        for (String name : exported) {
            for (String unit : List.of("connections", "requests", "seconds", "total")) {
                assertThat(name.split(unit, -1).length - 1).as(name).isLessThanOrEqualTo(1);
            }
        }
    }

    /** The series names of a scrape, without the help and type lines. */
    private Set<String> exportedSeries() {
        Set<String> names = new TreeSet<>();
        for (String line : this.registry.scrape().split("\n")) {
            if (line.startsWith("transport_")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }
}
