package io.github.pooledtransport.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The sample: a web app whose RestClient runs on the pooled transport, a downstream service inside the same
 * process, demos of the known ways a connection pool fails, and a page at {@code /} that shows the pool live.
 */
@SpringBootApplication
public class SampleApplication {

    /**
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }

    @Bean
    ApplicationListener<ApplicationReadyEvent> whereToLook(Environment environment) {
        return event -> {
            String port = environment.getProperty("local.server.port", "8080");
            System.out.printf("%n  Pooled Transport sample is running.%n"
                    + "    Page with the demos and the live pool:  http://localhost:%s/%n"
                    + "    Pool as JSON:                           http://localhost:%s/actuator/transport/transport%n"
                    + "    Run a demo from the shell:              curl -X POST http://localhost:%s/demo/good%n%n",
                    port, port, port);
        };
    }
}
