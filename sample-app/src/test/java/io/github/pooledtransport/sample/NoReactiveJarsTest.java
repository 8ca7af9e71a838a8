package io.github.pooledtransport.sample;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.util.ClassUtils;

/**
 * The sample is an MVC application built as users build one (the web starter, the actuator and our starter): the
 * starter's reactive dependencies are optional, so none of them reaches its classpath.
 */
class NoReactiveJarsTest {

    @Test
    void mvcApplicationWithTheStarterHasNoReactiveJars() {
        ClassLoader loader = getClass().getClassLoader();
        assertThat(ClassUtils.isPresent("org.springframework.web.reactive.function.client.WebClient", loader))
                .as("spring-webflux on the classpath").isFalse();
        assertThat(ClassUtils.isPresent("reactor.core.publisher.Mono", loader)).as("reactor-core on the classpath")
                .isFalse();
        assertThat(ClassUtils.isPresent("org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration",
                loader)).as("spring-boot-webclient on the classpath").isFalse();
    }
}
