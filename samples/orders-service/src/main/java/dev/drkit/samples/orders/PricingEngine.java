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
     * Version 2: five percent off for returning customers, but its discount lookup does not
     * scale: above 50 calls a second, every third call times out.
     */
    final class V2 implements PricingEngine {
        /** Calls per second above which v2 starts to fail. */
        static final int CAPACITY_PER_SECOND = 50;

        private long windowStart = System.nanoTime();
        private int callsInWindow;
        private long overload;

        @Override
        public long price(String customer, long listCents) {
            boolean fail;
            synchronized (this) {
                long now = System.nanoTime();
                if (now - windowStart > 1_000_000_000L) {
                    windowStart = now;
                    callsInWindow = 0;
                }
                callsInWindow++;
                fail = callsInWindow > CAPACITY_PER_SECOND && ++overload % 3 == 0;
            }
            if (fail) {
                throw new IllegalStateException("pricing v2: discount lookup timed out under load");
            }
            return listCents * 95 / 100;
        }
    }
}
