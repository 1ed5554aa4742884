package dev.drkit.samples.orders;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The orders service: orders in local files, pricing behind a guard, backups and a recovery plan by DR Kit. */
@SpringBootApplication
public class OrdersApplication {

    /**
     * Starts the service.
     *
     * @param args Spring Boot arguments, such as {@code --server.port=8080}
     */
    public static void main(String[] args) {
        SpringApplication.run(OrdersApplication.class, args);
    }
}
