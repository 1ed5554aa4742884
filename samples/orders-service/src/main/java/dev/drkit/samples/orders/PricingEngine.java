package dev.drkit.samples.orders;

/** Prices an order. */
public interface PricingEngine {
    /**
     * Returns the price to charge.
     *
     * @param customer who buys
     * @param listCents the list price
     * @return the price in cents
     */
    long price(String customer, long listCents);

    /** Version 1: the list price. Stable. */
    final class V1 implements PricingEngine {
        @Override
        public long price(String customer, long listCents) {
            return listCents;
        }
    }

    /**
     * Version 2: five percent off for returning customers, but it holds a lock around a slow
     * lookup, so under concurrent load its calls time out.
     */
    final class V2 implements PricingEngine {
        private final java.util.concurrent.Semaphore lookups = new java.util.concurrent.Semaphore(2);

        @Override
        public long price(String customer, long listCents) {
            try {
                if (!lookups.tryAcquire(2, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("pricing v2: discount lookup timed out under load");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("pricing v2: interrupted", e);
            }
            try {
                Thread.sleep(1);
                return listCents * 95 / 100;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("pricing v2: interrupted", e);
            } finally {
                lookups.release();
            }
        }
    }
}
