package com.example.quotes;

import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/** The README's minimal example, plus a RestTemplate: clients built from the injected builders. */
@Service
public class Quotes {

    private final RestClient client;

    private final RestTemplate template;

    Quotes(RestClient.Builder builder, RestTemplateBuilder templateBuilder, QuotesProperties properties) {
        this.client = builder.baseUrl(properties.baseUrl()).build();
        this.template = templateBuilder.rootUri(properties.baseUrl()).build();
    }

    String viaRestClient() {
        return this.client.get().uri("/rest-client/today").retrieve().body(String.class);
    }

    String viaRestTemplate() {
        return this.template.getForObject("/rest-template/today", String.class);
    }
}
