package com.example.quotes;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.service.registry.ImportHttpServices;

/**
 * An application as a new user writes it: one {@code @SpringBootApplication}, the web starter, the actuator and
 * our starter on the class path, nothing picked by hand.
 */
@SpringBootApplication
@ImportHttpServices(group = "quotes", types = QuotesClient.class)
public class QuotesApplication {
}
