package dev.drkit.samples.orders;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** Keeps each order as a JSON file in the orders directory: the state DR Kit backs up and restores. */
@Component
public class OrderStore {
    private final Path dir;
    private final JsonMapper json;
    private final AtomicLong nextId = new AtomicLong();

    /**
     * Creates the store.
     *
     * @param dir the orders directory ({@code orders.dir})
     * @param json the JSON mapper
     * @throws IOException when the directory cannot be created
     */
    public OrderStore(@Value("${orders.dir}") Path dir, JsonMapper json) throws IOException {
        this.dir = Files.createDirectories(dir.toAbsolutePath());
        this.json = json;
        this.nextId.set(list().stream().mapToLong(Order::id).max().orElse(0));
    }

    /**
     * Returns the directory the orders live in.
     *
     * @return the directory
     */
    public Path dir() {
        return dir;
    }

    /**
     * Stores a new order under the next number.
     *
     * @param customer who places it
     * @param listCents the list price
     * @param chargedCents the price charged
     * @param pricedBy the pricing version
     * @return the order
     */
    public Order add(String customer, long listCents, long chargedCents, String pricedBy) {
        Order order = new Order(nextId.incrementAndGet(), customer, listCents, chargedCents, pricedBy,
                Instant.now());
        try {
            Path tmp = dir.resolve(".order-" + order.id() + ".tmp");
            Files.writeString(tmp, json.writeValueAsString(order));
            Files.move(tmp, file(order.id()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return order;
    }

    /**
     * Reads one order.
     *
     * @param id its number
     * @return the order, or empty
     */
    public Optional<Order> get(long id) {
        Path f = file(id);
        return Files.exists(f) ? Optional.of(read(f)) : Optional.empty();
    }

    /**
     * Reads every order; a damaged file fails the read.
     *
     * @return the orders by number
     */
    public List<Order> list() {
        List<Order> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("order-\\d+\\.json")).sorted().toList()) {
                out.add(read(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private Order read(Path f) {
        try {
            return json.readValue(Files.readString(f), Order.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("order file " + f.getFileName() + " is damaged: " + e.getMessage(), e);
        }
    }

    private Path file(long id) {
        return dir.resolve(String.format("order-%08d.json", id));
    }
}
