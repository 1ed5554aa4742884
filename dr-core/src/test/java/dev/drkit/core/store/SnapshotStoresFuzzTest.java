package dev.drkit.core.store;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.fuzz.ParserInvariant;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes store locations and their options, as they arrive from configuration and the command
 * line. Locations are kept to {@code mem:} stores, {@code file:} URIs and plain paths under a
 * temporary directory, so that nothing outside it is touched (opening writes nothing anyway).
 */
class SnapshotStoresFuzzTest {
    private static Path root;

    @BeforeAll
    static void createRoot() throws Exception {
        root = Files.createTempDirectory("stores-fuzz");
    }

    @FuzzTest(maxDuration = ParserInvariant.FUZZ_DURATION)
    void openEndsInAStoreOrADrException(FuzzedDataProvider data) {
        int kind = data.consumeInt(0, 2);
        String rest = data.consumeRemainingAsString();
        String location = switch (kind) {
            case 0 -> "mem:" + rest;
            case 1 -> "file:" + root.toUri().getRawPath() + rest.replace("..", "");
            default -> root + java.io.File.separator + rest.replace("..", ""); // a plain path
        };
        ParserInvariant.check("SnapshotStores.open", () -> {
            try (SnapshotStore store = SnapshotStores.open(location)) {
                store.describe();
            }
        });
    }

    @FuzzTest(maxDuration = ParserInvariant.FUZZ_DURATION)
    void optionsReadOrAreRefused(byte[] bytes) {
        // an option name, a newline, then the query
        String text = new String(ParserInvariant.bounded(bytes), java.nio.charset.StandardCharsets.UTF_8);
        int nl = text.indexOf('\n');
        String name = nl < 0 ? "" : text.substring(0, nl);
        String query = text.substring(nl + 1);
        ParserInvariant.check("UriOptions", () -> {
            URI uri;
            try {
                uri = new URI("mem:x?" + query);
            } catch (URISyntaxException e) {
                return; // not a URI; SnapshotStores.open reports these, fuzzed above
            }
            UriOptions options = UriOptions.of(uri);
            readAll(options, name);
            readAll(options, "size");
            options.requireAllRead(Set.copyOf(java.util.List.of(name, "size"))); // name may be "size"
        });
    }

    private static void readAll(UriOptions options, String name) {
        options.string(name);
        try {
            options.bool(name);
        } catch (dev.drkit.api.DrException e) {
            // a refused value is fine; the next reader still runs
        }
        try {
            options.integer(name);
        } catch (dev.drkit.api.DrException e) {
            // as above
        }
        try {
            options.size(name);
        } catch (dev.drkit.api.DrException e) {
            // as above
        }
        options.duration(name);
    }
}
