package com.example.quotes;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** Where the quotes live, from {@code quotes.base-url}. */
@Component
public class QuotesProperties {

    private final String baseUrl;

    QuotesProperties(@Value("${quotes.base-url}") String baseUrl) {
        this.baseUrl = baseUrl;
    }

    String baseUrl() {
        return this.baseUrl;
    }
}
