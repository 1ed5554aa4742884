package dev.drkit.samples.orders;

import dev.drkit.core.rollback.GuardedRelease;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Places and lists orders; every price goes through the {@code pricing} guard. */
@RestController
public class OrdersController {
    private final OrderStore orders;
    private final GuardedRelease<PricingEngine> pricing;

    /**
     * Creates the controller.
     *
     * @param orders the store
     * @param pricing the guarded pricing engine
     */
    public OrdersController(OrderStore orders, GuardedRelease<PricingEngine> pricing) {
        this.orders = orders;
        this.pricing = pricing;
    }

    /**
     * Places an order, priced by whichever pricing version the customer is routed to.
     *
     * @param customer who buys
     * @param cents the list price
     * @return the order
     */
    @PostMapping("/orders")
    public Order place(@RequestParam String customer, @RequestParam long cents) {
        String version = pricing.routeOf(customer).name().equals("CANDIDATE")
                ? pricing.candidateVersion().orElse(pricing.stableVersion()) : pricing.stableVersion();
        long charged = pricing.call(customer, engine -> engine.price(customer, cents));
        return orders.add(customer, cents, charged, version);
    }

    /**
     * Lists every order.
     *
     * @return the orders
     */
    @GetMapping("/orders")
    public List<Order> list() {
        return orders.list();
    }

    /**
     * Reads one order.
     *
     * @param id its number
     * @return the order
     */
    @GetMapping("/orders/{id}")
    public Order get(@PathVariable long id) {
        return orders.get(id).orElseThrow(() -> new NotFound("no order " + id));
    }

    /**
     * Simulates busy traffic: many customers asking for prices at once, which pricing v2
     * cannot take.
     *
     * @param calls how many price requests
     * @return what happened, and the guard's state afterwards
     * @throws Exception when the simulation is interrupted
     */
    @PostMapping("/simulate/traffic")
    public Map<String, Object> traffic(@RequestParam(defaultValue = "3000") int calls) throws Exception {
        AtomicInteger failed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                String customer = "customer-" + i;
                futures.add(pool.submit(() -> {
                    try {
                        pricing.call(customer, engine -> engine.price(customer, 1999));
                    } catch (IllegalStateException e) {
                        failed.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        return Map.of("calls", calls, "failed", failed.get(), "guard", pricing.state().name(),
                "candidateWeight", pricing.candidateWeight());
    }

    /**
     * Answers 404 for a missing order.
     *
     * @param e the failure
     * @return the message
     */
    @ExceptionHandler(NotFound.class)
    @ResponseStatus(HttpStatus.NOT_FOUND)
    public Map<String, String> notFound(NotFound e) {
        return Map.of("error", e.getMessage());
    }

    /** A missing order. */
    static final class NotFound extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotFound(String message) {
            super(message);
        }
    }
}
