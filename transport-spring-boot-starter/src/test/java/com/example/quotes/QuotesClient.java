package com.example.quotes;

import org.springframework.web.service.annotation.GetExchange;

/** An HTTP service client of the {@code quotes} group. */
public interface QuotesClient {

    @GetExchange("/service/today")
    String today();
}
