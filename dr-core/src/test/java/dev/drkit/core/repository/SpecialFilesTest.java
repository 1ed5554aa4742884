package dev.drkit.core.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.core.source.DirectorySource;
import dev.drkit.testkit.store.InMemoryStore;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FIFOs and sockets in a backed-up directory, which a snapshot does not keep, are skipped,
 * counted and named in the backup's result, without making the backup incomplete.
 */
class SpecialFilesTest {
    @TempDir
    Path tmp;

    @Test
    void aFifoAndASocketAreSkippedCountedAndNamedInTheResult() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("orders/pipes"));
        Files.writeString(tmp.resolve("orders/order-1.json"), "{\"id\":1}");
        Path fifo = data.resolve("events.fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).isZero();
        Path socket = tmp.resolve("orders/app.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            assertThat(Files.isRegularFile(socket)).isFalse();
            try (Repository repo = Repository.init(new InMemoryStore(), RepositoryTest.PASSWORD,
                    RepositoryTest.fastOptions().build())) {
                BackupResult result = repo.backup(BackupRequest.builder()
                        .source(DirectorySource.of(tmp.resolve("orders"))).build());

                assertThat(result.specialCount()).isEqualTo(2);
                assertThat(result.special()).containsExactly("orders/app.sock", "orders/pipes/events.fifo");
                assertThat(result.complete()).isTrue();
                assertThat(result.filesNew()).isEqualTo(1);

                Path target = tmp.resolve("restored");
                repo.restore(result.snapshotId(), target, RestoreOptions.all());
                assertThat(target.resolve("orders/order-1.json")).hasContent("{\"id\":1}");
                assertThat(target.resolve("orders/pipes")).isEmptyDirectory();
                assertThat(target.resolve("orders/app.sock")).doesNotExist();
            }
        }
    }

    @Test
    void aTreeWithoutSpecialFilesCountsNone() throws Exception {
        Files.createDirectories(tmp.resolve("orders"));
        Files.writeString(tmp.resolve("orders/order-1.json"), "{\"id\":1}");
        try (Repository repo = Repository.init(new InMemoryStore(), RepositoryTest.PASSWORD,
                RepositoryTest.fastOptions().build())) {
            BackupResult result = repo.backup(BackupRequest.builder()
                    .source(DirectorySource.of(tmp.resolve("orders"))).build());
            assertThat(result.specialCount()).isZero();
            assertThat(result.special()).isEmpty();
        }
    }
}
