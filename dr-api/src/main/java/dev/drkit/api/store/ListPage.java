package dev.drkit.api.store;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One page of a listing by prefix.
 *
 * @param objects the objects of this page, in ascending key order
 * @param nextToken the token that fetches the next page, or {@code null} on the last page
 */
public record ListPage(List<ObjectInfo> objects, @Nullable String nextToken) {
    /** Copies the list so that the page is immutable. */
    public ListPage {
        objects = List.copyOf(Objects.requireNonNull(objects, "objects"));
    }

    /**
     * Returns the continuation token, if there are more pages.
     *
     * @return the token for {@link SnapshotStore#list(String, String, int)}, or empty on the last page
     */
    public Optional<String> next() {
        return Optional.ofNullable(nextToken);
    }
}
