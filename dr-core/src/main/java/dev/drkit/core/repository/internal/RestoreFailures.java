package dev.drkit.core.repository.internal;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The entries a restore could not write, each with the code of its cause, and the one
 * exception that names them. Thread-safe: the writers add to it concurrently.
 *
 * <p>A file whose data failed its checks is {@code INTEGRITY}; one the store failed to serve
 * keeps the store's code ({@code NOT_FOUND} for a missing pack, {@code UNAVAILABLE},
 * {@code ACCESS_DENIED}, ...); one the local file system refused (a full disk, a name too
 * long, a permission, an entry in the way) is {@code IO_FAILURE}, as is any other failure.
 * When causes mix, the exception carries the gravest: damaged data, then the store's
 * failures, then local ones, since a local failure goes away with the cause it names while
 * the others mean the repository cannot give those files back.
 */
final class RestoreFailures {
    /** Failures named in the message; the count says how many more there were. */
    static final int NAMED = 10;

    private final List<Failure> failures = new ArrayList<>();

    /** One entry not restored, or a failure of no one entry when {@code path} is null. */
    record Failure(@Nullable String path, ErrorCode code, String reason, Throwable cause) {
        String describe() {
            return path == null ? reason : path + " (" + reason + ")";
        }
    }

    /**
     * Records that an entry was not restored.
     *
     * @param path the entry's snapshot path, or null for a failure of no one entry
     * @param failure why
     */
    void add(@Nullable String path, Throwable failure) {
        Failure f = new Failure(path, codeOf(failure), reasonOf(failure), failure);
        synchronized (failures) {
            failures.add(f);
        }
    }

    /** Returns whether nothing failed. @return true when every entry was restored */
    boolean isEmpty() {
        synchronized (failures) {
            return failures.isEmpty();
        }
    }

    /**
     * Returns the exception that names the failed entries, with the gravest cause's code, the
     * first such entry as its input and its failure as the cause.
     *
     * @return the exception
     * @throws IllegalStateException when nothing failed
     */
    DrException toException() {
        List<Failure> sorted;
        synchronized (failures) {
            if (failures.isEmpty()) {
                throw new IllegalStateException("No restore failures to report");
            }
            sorted = new ArrayList<>(failures);
        }
        sorted.sort(Comparator.comparing(Failure::describe));
        Failure gravest = sorted.get(0);
        for (Failure f : sorted) {
            if (rank(f.code()) > rank(gravest.code())) {
                gravest = f;
            }
        }
        StringBuilder message = new StringBuilder().append(sorted.size()).append(" file(s) could not be restored: ");
        for (int i = 0; i < Math.min(NAMED, sorted.size()); i++) {
            message.append(i == 0 ? "" : "; ").append(sorted.get(i).describe());
        }
        if (sorted.size() > NAMED) {
            message.append("; and ").append(sorted.size() - NAMED).append(" more");
        }
        return new DrException(gravest.code(), message.toString(), gravest.path(), gravest.cause());
    }

    /** Damaged data first, then what the store raised, then the local file system's failures. */
    private static int rank(ErrorCode code) {
        return switch (code) {
            case INTEGRITY -> 2;
            case IO_FAILURE -> 0;
            default -> 1;
        };
    }

    private static ErrorCode codeOf(Throwable failure) {
        if (failure instanceof DrException dr) {
            return dr.code();
        }
        return ErrorCode.IO_FAILURE;
    }

    /** The reason in words, without the temporary or absolute path the file system names. */
    private static String reasonOf(Throwable failure) {
        Throwable t = failure instanceof UncheckedIOException unchecked ? unchecked.getCause() : failure;
        if (t instanceof DrException) {
            return String.valueOf(t.getMessage());
        }
        if (t instanceof DirectoryNotEmptyException) {
            return "a directory that is not empty is in the way; it is kept";
        }
        if (t instanceof IOException io) {
            return BackupRun.reasonOf(io);
        }
        return t.toString();
    }
}
