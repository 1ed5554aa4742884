package dev.drkit.core.repository;

import dev.drkit.api.DrException;
import dev.drkit.api.audit.AuditSink;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link Repository} is created and run: key derivation and chunking (used by
 * {@link Repository#init}), compression, pack size, threads, clock, host, metrics and audit.
 * Immutable; build with {@link #builder()} or start from {@link #DEFAULT}.
 *
 * @param kdf the key derivation for new keys
 * @param minChunk the smallest chunk, for a new repository
 * @param avgChunk the average chunk, for a new repository
 * @param maxChunk the largest chunk, for a new repository
 * @param zstdLevel the zstd level for new blobs, 1 to 19
 * @param packSize the target size of a pack in bytes
 * @param threads worker threads for compression, encryption, restore and verification
 * @param clock the clock for snapshot times, lock expiry and retention
 * @param host the host name recorded in snapshots, keys and locks
 * @param actor who acts, recorded in audit events
 * @param meters where {@code dr.backup.*}, {@code dr.restore.*} and {@code dr.repository.*}
 *     meters go, or {@code null}
 * @param audit where audit events go, or {@code null}
 */
public record RepositoryOptions(KdfParams kdf, int minChunk, int avgChunk, int maxChunk, int zstdLevel, int packSize,
        int threads, Clock clock, String host, String actor, @Nullable MeterRegistry meters,
        @Nullable AuditSink audit) {
    /** The default average chunk size: 1 MiB. */
    public static final int DEFAULT_AVG_CHUNK = 1 << 20;
    /** The default pack size: 16 MiB. */
    public static final int DEFAULT_PACK_SIZE = 16 << 20;
    /** The default zstd level. */
    public static final int DEFAULT_ZSTD_LEVEL = 1;

    /**
     * Validates the options.
     *
     * @throws DrException {@code INVALID_ARGUMENT} naming a value out of range
     */
    public RepositoryOptions {
        Objects.requireNonNull(kdf, "kdf");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(actor, "actor");
        if (minChunk < 64 || avgChunk <= minChunk || maxChunk < avgChunk || maxChunk > 16 << 20) {
            throw DrException.invalidArgument("chunk sizes", "must satisfy 64 <= min < avg <= max <= 16 MiB",
                    minChunk + "/" + avgChunk + "/" + maxChunk);
        }
        if (zstdLevel < 1 || zstdLevel > 19) {
            throw DrException.invalidArgument("zstdLevel", "must be within 1..19", zstdLevel);
        }
        if (packSize < 64 * 1024 || packSize > 256 << 20) {
            throw DrException.invalidArgument("packSize", "must be within 64 KiB..256 MiB", packSize);
        }
        if (threads < 1 || threads > 256) {
            throw DrException.invalidArgument("threads", "must be within 1..256", threads);
        }
    }

    /**
     * The defaults: the builder's values, with the system UTC clock and this machine's host
     * name as found when the class was loaded.
     */
    public static final RepositoryOptions DEFAULT = builder().build();

    /** Returns a builder with the defaults. @return the builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns {@link #DEFAULT}.
     *
     * @return the default options
     * @deprecated use {@link #DEFAULT}
     */
    @Deprecated
    public static RepositoryOptions defaults() {
        return DEFAULT;
    }

    /** Builds {@link RepositoryOptions}; not thread-safe. */
    public static final class Builder {
        private KdfParams kdf = KdfParams.DEFAULT;
        private int minChunk = DEFAULT_AVG_CHUNK / 4;
        private int avgChunk = DEFAULT_AVG_CHUNK;
        private int maxChunk = DEFAULT_AVG_CHUNK * 4;
        private int zstdLevel = DEFAULT_ZSTD_LEVEL;
        private int packSize = DEFAULT_PACK_SIZE;
        private int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private Clock clock = Clock.systemUTC();
        private String host = defaultHost();
        private String actor = System.getProperty("user.name", "system");
        private @Nullable MeterRegistry meters;
        private @Nullable AuditSink audit;

        private Builder() {
        }

        /** Sets the key derivation. @param value the parameters @return this builder */
        public Builder kdf(KdfParams value) {
            this.kdf = value;
            return this;
        }

        /**
         * Sets the chunk sizes of a new repository.
         *
         * @param min the smallest chunk
         * @param avg the average chunk
         * @param max the largest chunk
         * @return this builder
         */
        public Builder chunkSizes(int min, int avg, int max) {
            this.minChunk = min;
            this.avgChunk = avg;
            this.maxChunk = max;
            return this;
        }

        /** Sets the zstd level. @param value 1 to 19 @return this builder */
        public Builder zstdLevel(int value) {
            this.zstdLevel = value;
            return this;
        }

        /** Sets the target pack size. @param bytes the size @return this builder */
        public Builder packSize(int bytes) {
            this.packSize = bytes;
            return this;
        }

        /** Sets the worker threads. @param value how many @return this builder */
        public Builder threads(int value) {
            this.threads = value;
            return this;
        }

        /** Sets the clock. @param value the clock @return this builder */
        public Builder clock(Clock value) {
            this.clock = value;
            return this;
        }

        /** Sets the host name. @param value the host @return this builder */
        public Builder host(String value) {
            this.host = value;
            return this;
        }

        /** Sets who acts, for audit events. @param value the actor @return this builder */
        public Builder actor(String value) {
            this.actor = value;
            return this;
        }

        /** Sets the meter registry. @param value the registry @return this builder */
        public Builder meters(MeterRegistry value) {
            this.meters = value;
            return this;
        }

        /** Sets the audit sink. @param value the sink @return this builder */
        public Builder audit(AuditSink value) {
            this.audit = value;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         * @throws DrException {@code INVALID_ARGUMENT} as the record's constructor
         */
        public RepositoryOptions build() {
            return new RepositoryOptions(kdf, minChunk, avgChunk, maxChunk, zstdLevel, packSize, threads, clock, host,
                    actor, meters, audit);
        }

        private static String defaultHost() {
            String env = System.getenv("HOSTNAME");
            if (env != null && !env.isBlank()) {
                return env;
            }
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException | RuntimeException e) {
                return "localhost";
            }
        }
    }
}
