package dev.drkit.core.repository;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.repository.internal.JournalState;
import dev.drkit.core.repository.internal.PointInTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A journaled source as it was at an instant, read in place: the records it held then, and
 * their contents, without restoring anything to disk. For applications that keep their own
 * records in a journal (a {@code RecordFeed}) and read them back, such as streamed WAL.
 * Taken by {@link Repository#journalAt(String, Instant)}; a view does not change when the
 * journal goes on. Thread-safe.
 */
public final class JournalView {
    private final PointInTime.View view;
    private final List<JournalRecord> records;

    JournalView(PointInTime.View view) {
        this.view = view;
        List<JournalRecord> list = new ArrayList<>();
        for (Map.Entry<String, JournalState.FileRef> e : view.state().files().entrySet()) {
            list.add(new JournalRecord(e.getKey(), e.getValue().size(), e.getValue().modified()));
        }
        this.records = List.copyOf(list);
    }

    /**
     * Returns the journaled source.
     *
     * @return its name
     */
    public String source() {
        return view.source();
    }

    /**
     * Returns the instant the view shows.
     *
     * @return the instant
     */
    public Instant at() {
        return view.at();
    }

    /**
     * Returns the records at the instant, by path.
     *
     * @return the records
     */
    public List<JournalRecord> records() {
        return records;
    }

    /**
     * Reads a record's contents as they were at the instant; each blob is checked.
     *
     * @param path a record's path
     * @return its bytes
     * @throws DrException {@code NOT_FOUND} naming the path when the source held no such record
     *     at the instant; {@code INTEGRITY} naming the damaged segment or pack
     */
    public byte[] read(String path) {
        JournalState.FileRef ref = view.state().files().get(Objects.requireNonNull(path, "path"));
        if (ref == null) {
            throw new DrException(ErrorCode.NOT_FOUND, "Journal of source '" + view.source() + "' held no record '"
                    + path + "' at " + view.at(), path);
        }
        return view.read(ref);
    }

    @Override
    public String toString() {
        return "JournalView[" + view.source() + " at " + view.at() + ", " + records.size() + " records]";
    }
}
