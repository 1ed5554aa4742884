package dev.drkit.postgres.internal;

import dev.drkit.api.backup.EntryMetadata;
import dev.drkit.api.backup.EntryType;
import dev.drkit.api.backup.EntryWriter;
import dev.drkit.api.backup.SnapshotSource;
import dev.drkit.api.backup.SourceView;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** A snapshot source of a few small files held in memory, such as {@code backup_label} or a WAL chunk. */
public final class TextFilesSource implements SnapshotSource {
    private final String name;
    private final Map<String, byte[]> files;
    private final Instant time;

    /**
     * Returns a source of the given files.
     *
     * @param name the source's name
     * @param files file name to content, in order
     * @param time the files' modification time
     */
    public TextFilesSource(String name, Map<String, byte[]> files, Instant time) {
        this.name = name;
        this.files = new LinkedHashMap<>(files);
        this.time = time;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public SourceView begin() {
        return new SourceView() {
            @Override
            public void writeTo(EntryWriter out) throws IOException {
                for (Map.Entry<String, byte[]> file : files.entrySet()) {
                    byte[] content = file.getValue();
                    out.file(file.getKey(), new EntryMetadata(EntryType.FILE, content.length, time, 0600, 0),
                            () -> new ByteArrayInputStream(content));
                }
            }

            @Override
            public void close() {
            }
        };
    }
}
