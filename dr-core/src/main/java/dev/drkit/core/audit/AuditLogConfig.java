package dev.drkit.core.audit;

import dev.drkit.api.DrException;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How an audit log writes: durability, how often it writes digest records and whether the
 * chain is keyed. Immutable; build with {@link #builder()}.
 *
 * @param durability how each record reaches the disk
 * @param fsyncEvery with {@link AuditDurability#FLUSH_EACH}, force the file to disk after this many records
 * @param digestEvery write a digest record after this many records
 * @param storeSegmentRecords for a store log, write a segment object after this many records
 * @param hmacKey a key that makes the chain an HMAC-SHA-256 chain, or {@code null} for plain SHA-256
 */
public record AuditLogConfig(AuditDurability durability, int fsyncEvery, int digestEvery, int storeSegmentRecords,
        byte @Nullable [] hmacKey) {

    /** The default number of records between forced writes to disk. */
    public static final int DEFAULT_FSYNC_EVERY = 1000;
    /** The default number of records between digest records. */
    public static final int DEFAULT_DIGEST_EVERY = 1000;
    /** The default number of records in one store segment. */
    public static final int DEFAULT_STORE_SEGMENT_RECORDS = 1000;

    /**
     * Validates the fields and copies the key.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for a count below 1 or an empty key
     */
    public AuditLogConfig {
        Objects.requireNonNull(durability, "durability");
        if (fsyncEvery < 1) {
            throw DrException.invalidArgument("fsyncEvery", "must be >= 1", fsyncEvery);
        }
        if (digestEvery < 1) {
            throw DrException.invalidArgument("digestEvery", "must be >= 1", digestEvery);
        }
        if (storeSegmentRecords < 1) {
            throw DrException.invalidArgument("storeSegmentRecords", "must be >= 1", storeSegmentRecords);
        }
        if (hmacKey != null) {
            if (hmacKey.length == 0) {
                throw DrException.invalidArgument("hmacKey", "must not be empty", "[]");
            }
            hmacKey = hmacKey.clone();
        }
    }

    /**
     * The defaults: {@link AuditDurability#FLUSH_EACH}, fsync, digest and store segments every
     * 1000 records, unkeyed.
     */
    public static final AuditLogConfig DEFAULT = builder().build();

    /**
     * Returns a builder with the defaults.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public byte @Nullable [] hmacKey() {
        return hmacKey == null ? null : hmacKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuditLogConfig c && c.durability == durability && c.fsyncEvery == fsyncEvery
                && c.digestEvery == digestEvery && c.storeSegmentRecords == storeSegmentRecords
                && Arrays.equals(c.hmacKey, hmacKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(durability, fsyncEvery, digestEvery, storeSegmentRecords) * 31 + Arrays.hashCode(hmacKey);
    }

    @Override
    public String toString() {
        return "AuditLogConfig[durability=" + durability + ", fsyncEvery=" + fsyncEvery + ", digestEvery="
                + digestEvery + ", storeSegmentRecords=" + storeSegmentRecords + ", keyed=" + (hmacKey != null) + "]";
    }

    /**
     * Returns {@link #DEFAULT}.
     *
     * @return the default configuration
     * @deprecated use {@link #DEFAULT}
     */
    @Deprecated
    public static AuditLogConfig ofDefaults() {
        return DEFAULT;
    }

    /** Builds an {@link AuditLogConfig}. */
    public static final class Builder {
        private AuditDurability durability = AuditDurability.FLUSH_EACH;
        private int fsyncEvery = DEFAULT_FSYNC_EVERY;
        private int digestEvery = DEFAULT_DIGEST_EVERY;
        private int storeSegmentRecords = DEFAULT_STORE_SEGMENT_RECORDS;
        private byte @Nullable [] hmacKey;

        private Builder() {
        }

        /**
         * Sets the durability mode.
         *
         * @param durability the mode
         * @return this builder
         */
        public Builder durability(AuditDurability durability) {
            this.durability = Objects.requireNonNull(durability, "durability");
            return this;
        }

        /**
         * Sets how many records may be written between forced writes to disk.
         *
         * @param records the count, {@code >= 1}
         * @return this builder
         */
        public Builder fsyncEvery(int records) {
            this.fsyncEvery = records;
            return this;
        }

        /**
         * Sets how many records are written between digest records.
         *
         * @param records the count, {@code >= 1}
         * @return this builder
         */
        public Builder digestEvery(int records) {
            this.digestEvery = records;
            return this;
        }

        /**
         * Sets how many records one store segment holds.
         *
         * @param records the count, {@code >= 1}
         * @return this builder
         */
        public Builder storeSegmentRecords(int records) {
            this.storeSegmentRecords = records;
            return this;
        }

        /**
         * Keys the chain with HMAC-SHA-256, so that a person without the key cannot rebuild it.
         *
         * @param key the key
         * @return this builder
         */
        public Builder hmacKey(byte[] key) {
            this.hmacKey = Objects.requireNonNull(key, "key").clone();
            return this;
        }

        /**
         * Builds the configuration.
         *
         * @return the configuration
         * @throws DrException {@code INVALID_ARGUMENT} for an invalid value
         */
        public AuditLogConfig build() {
            return new AuditLogConfig(durability, fsyncEvery, digestEvery, storeSegmentRecords, hmacKey);
        }
    }
}
