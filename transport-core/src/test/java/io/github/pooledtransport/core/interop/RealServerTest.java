package io.github.pooledtransport.core.interop;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import io.github.pooledtransport.core.Transport;

/** An interop test class: each test runs only when its servers are installed, and its transport is closed after. */
abstract class RealServerTest {

    /** The transport a test uses; closed after the test. */
    protected Transport transport;

    /** @return the class's servers, from its {@code @BeforeAll} */
    protected abstract RealServers servers();

    @BeforeEach
    void requireServers() {
        servers().assumeInstalled();
    }

    @AfterEach
    void closeTransport() {
        if (this.transport != null) {
            this.transport.close();
        }
    }
}
