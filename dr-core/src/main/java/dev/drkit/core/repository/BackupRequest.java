package dev.drkit.core.repository;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.backup.BackupKind;
import dev.drkit.api.backup.SnapshotSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What one backup captures: its sources (taken as one consistent cut), tags, and whether it
 * builds on a parent snapshot.
 *
 * @param sources the sources, with unique names
 * @param tags labels for the snapshot
 * @param kind {@code INCREMENTAL} skips files unchanged since the parent; {@code FULL} reads all
 * @param parent the parent snapshot's id, or {@code null} for the latest with the same sources
 * @param host the host to record, or {@code null} for the repository's
 * @param allowEmptySources whether a source that comes out empty may replace one that held
 *     entries in the previous snapshot (see {@link Builder#allowEmptySources})
 */
public record BackupRequest(List<SnapshotSource> sources, Set<String> tags, BackupKind kind, @Nullable String parent,
        @Nullable String host, boolean allowEmptySources) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

    /**
     * Validates the request.
     *
     * @throws DrException {@code INVALID_ARGUMENT} for no sources, a malformed or repeated
     *     source name or an empty tag
     */
    public BackupRequest {
        sources = List.copyOf(Objects.requireNonNull(sources, "sources"));
        tags = Set.copyOf(Objects.requireNonNull(tags, "tags"));
        Objects.requireNonNull(kind, "kind");
        if (sources.isEmpty()) {
            throw new DrException(ErrorCode.INVALID_ARGUMENT, "A backup needs at least one source", "sources");
        }
        Set<String> names = new HashSet<>();
        for (SnapshotSource source : sources) {
            String name = source.name();
            if (name == null || !NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
                throw DrException.invalidArgument("source name", "must be letters, digits, '.', '_' or '-'", name);
            }
            if (!names.add(name)) {
                throw DrException.invalidArgument("source name", "must be unique within a snapshot", name);
            }
        }
        for (String tag : tags) {
            if (tag.isBlank()) {
                throw DrException.invalidArgument("tag", "must not be blank", "'" + tag + "'");
            }
        }
    }

    /**
     * A request that refuses a source which comes out empty where the previous snapshot held entries.
     *
     * @param sources the sources, with unique names
     * @param tags labels for the snapshot
     * @param kind incremental or full
     * @param parent the parent snapshot's id, or {@code null}
     * @param host the host to record, or {@code null}
     */
    public BackupRequest(List<SnapshotSource> sources, Set<String> tags, BackupKind kind, @Nullable String parent,
            @Nullable String host) {
        this(sources, tags, kind, parent, host, false);
    }

    /**
     * Returns a request for the given sources with no tags, incremental on the latest parent.
     *
     * @param sources the sources
     * @return the request
     */
    public static BackupRequest of(SnapshotSource... sources) {
        return builder().sources(List.of(sources)).build();
    }

    /** Returns a builder. @return the builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link BackupRequest}; not thread-safe. */
    public static final class Builder {
        private final List<SnapshotSource> sources = new ArrayList<>();
        private final Set<String> tags = new LinkedHashSet<>();
        private BackupKind kind = BackupKind.INCREMENTAL;
        private @Nullable String parent;
        private @Nullable String host;
        private boolean allowEmptySources;

        private Builder() {
        }

        /** Adds a source. @param source the source @return this builder */
        public Builder source(SnapshotSource source) {
            sources.add(source);
            return this;
        }

        /** Adds sources. @param values the sources @return this builder */
        public Builder sources(List<? extends SnapshotSource> values) {
            sources.addAll(values);
            return this;
        }

        /** Adds tags. @param values the tags @return this builder */
        public Builder tags(String... values) {
            tags.addAll(List.of(values));
            return this;
        }

        /** Sets full or incremental. @param value the kind @return this builder */
        public Builder kind(BackupKind value) {
            this.kind = value;
            return this;
        }

        /** Sets the parent snapshot. @param snapshotId its id or unique prefix @return this builder */
        public Builder parent(String snapshotId) {
            this.parent = snapshotId;
            return this;
        }

        /** Sets the host to record. @param value the host @return this builder */
        public Builder host(String value) {
            this.host = value;
            return this;
        }

        /**
         * Lets a source that comes out empty (no entry at all) be saved even though the previous
         * snapshot of the same host and sources held entries in it. By default such a backup is
         * refused with {@code PRECONDITION_FAILED} and nothing is saved: an empty directory where
         * data used to be is far more often a volume that did not mount or a path gone wrong
         * than data deleted on purpose, and under retention an empty snapshot would take the
         * place of the good ones. A source that was empty before, or a first backup, is never refused.
         *
         * @param value true to save empty sources
         * @return this builder
         */
        public Builder allowEmptySources(boolean value) {
            this.allowEmptySources = value;
            return this;
        }

        /**
         * Builds the request.
         *
         * @return the request
         * @throws DrException {@code INVALID_ARGUMENT} as the record's constructor
         */
        public BackupRequest build() {
            return new BackupRequest(sources, tags, kind, parent, host, allowEmptySources);
        }
    }
}
