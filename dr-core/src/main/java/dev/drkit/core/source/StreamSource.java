package dev.drkit.core.source;

import dev.drkit.api.backup.ContentOpener;
import dev.drkit.api.backup.EntryMetadata;
import dev.drkit.api.backup.EntryType;
import dev.drkit.api.backup.EntryWriter;
import dev.drkit.api.backup.SnapshotSource;
import dev.drkit.api.backup.SourceView;
import java.io.IOException;
import java.time.Clock;
import java.util.Objects;

/**
 * A single stream as a snapshot source, such as a database dump piped in: one file entry
 * named {@code fileName}. Each backup opens the stream once.
 */
public final class StreamSource implements SnapshotSource {
    private final String name;
    private final String fileName;
    private final ContentOpener opener;
    private final Clock clock;

    private StreamSource(String name, String fileName, ContentOpener opener, Clock clock) {
        this.name = Objects.requireNonNull(name, "name");
        this.fileName = Objects.requireNonNull(fileName, "fileName");
        this.opener = Objects.requireNonNull(opener, "opener");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Returns a source that captures one stream as the file {@code fileName}.
     *
     * @param name the source's name in the snapshot
     * @param fileName the entry's name within the source
     * @param opener opens the stream at backup time
     * @return the source
     */
    public static StreamSource of(String name, String fileName, ContentOpener opener) {
        return new StreamSource(name, fileName, opener, Clock.systemUTC());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public SourceView begin() {
        EntryMetadata meta = new EntryMetadata(EntryType.FILE, 0, clock.instant(), 0644, 0);
        return new SourceView() {
            @Override
            public void writeTo(EntryWriter out) throws IOException {
                out.file(fileName, meta, opener);
            }

            @Override
            public void close() {
            }
        };
    }
}
