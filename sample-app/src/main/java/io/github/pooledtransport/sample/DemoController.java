package io.github.pooledtransport.sample;

import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * {@code GET /demo} lists the demos, {@code POST /demo/{name}} runs one and returns its numbers, and
 * {@code GET /call} makes one request through the injected RestClient.
 */
@RestController
class DemoController {

    private final DemoService demos;

    private final RestClient client;

    DemoController(DemoService demos, RestClient.Builder builder, DownstreamServer downstream) {
        this.demos = demos;
        this.client = builder.baseUrl(downstream.baseUrl("good")).build();
    }

    @GetMapping("/demo")
    Map<String, String> list() {
        return DemoService.DEMOS;
    }

    @PostMapping("/demo/{name}")
    DemoResult run(@PathVariable String name) throws InterruptedException {
        return this.demos.run(name);
    }

    @GetMapping("/call")
    String call() {
        return this.client.get().uri("/hello").retrieve().body(String.class);
    }

    @ExceptionHandler(IllegalArgumentException.class)
    @ResponseStatus(HttpStatus.NOT_FOUND)
    Map<String, String> unknown(IllegalArgumentException ex) {
        return Map.of("error", ex.getMessage());
    }
}
