package dev.drkit.samples.orders;

import java.time.Instant;

/**
 * An order.
 *
 * @param id its number
 * @param customer who placed it
 * @param listCents the list price in cents
 * @param chargedCents the price charged, as the pricing engine computed it
 * @param pricedBy the pricing engine version that priced it
 * @param createdAt when it was placed
 */
public record Order(long id, String customer, long listCents, long chargedCents, String pricedBy, Instant createdAt) {
}
