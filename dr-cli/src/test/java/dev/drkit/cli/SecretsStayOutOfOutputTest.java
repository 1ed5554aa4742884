package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.storage.azure.AzureBlobStore;
import dev.drkit.storage.azure.AzureBlobStoreConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Seeds unique secret values (a repository password, a wrong password presented, an S3 secret
 * key inside a URI and as an option, an Azure connection string with an account key), runs
 * representative CLI commands and store calls that succeed and that fail (wrong password,
 * credentials in a URI, unreachable stores), and asserts that no seeded value appears on
 * stdout, stderr (where the CLI's log goes), in an exception message or cause chain, or in a
 * stack trace printed by {@code --verbose}.
 */
class SecretsStayOutOfOutputTest {
    private static final String PASSWORD = "pw-SEED-91f3c2d7e0";
    private static final String WRONG_PASSWORD = "pw-WRONG-5be0aa11c3";
    private static final String S3_SECRET = "s3SECRETseed0c9d4471";
    private static final String S3_ACCESS = "AKIASEED77880912";
    private static final String AZURE_KEY = "QXp1cmVTRUVEa2V5MTIzNDU2Nzg5MA==";
    private static final String AZURE_CONNECTION = "DefaultEndpointsProtocol=http;AccountName=seedacct;AccountKey="
            + AZURE_KEY + ";BlobEndpoint=http://127.0.0.1:9/seedacct;";
    private static final List<String> SECRETS = List.of(PASSWORD, WRONG_PASSWORD, S3_SECRET, S3_ACCESS, AZURE_KEY,
            AZURE_CONNECTION, "AccountKey=");

    @TempDir
    Path dir;

    private final StringBuilder seen = new StringBuilder();

    private int dr(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(logs, true, StandardCharsets.UTF_8);
        int exit;
        try {
            System.setOut(capture);
            System.setErr(capture);
            CommandLine cl = DrCommand.newCommandLine(env);
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(err));
            exit = cl.execute(args);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        // not the arguments, which hold some of the secrets: only what the command printed
        seen.append("-- dr ").append(args[0]).append('\n').append(out).append(err)
                .append(logs.toString(StandardCharsets.UTF_8));
        return exit;
    }

    private void sawThrown(Throwable t) {
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        seen.append(trace);
        for (Throwable c = t; c != null; c = c.getCause()) {
            seen.append(c).append('\n');
        }
    }

    private void assertNoSecretSeen() {
        String text = seen.toString();
        assertThat(text).as("captured output").isNotBlank();
        for (String secret : SECRETS) {
            assertThat(text).as("output must not contain a seeded secret").doesNotContain(secret);
        }
    }

    @Test
    void passwordsNeverReachTheOutputOfCommandsThatWorkOrFail() throws Exception {
        Path repo = dir.resolve("repo");
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "hello");
        Map<String, String> right = Map.of("DR_PASSWORD", PASSWORD);
        Map<String, String> wrong = Map.of("DR_PASSWORD", WRONG_PASSWORD);

        assertThat(dr(right, "init", "--repo", repo.toString())).isZero();
        assertThat(dr(right, "backup", "--repo", repo.toString(), data.toString())).isZero();
        assertThat(dr(right, "snapshots", "--repo", repo.toString())).isZero();
        assertThat(dr(wrong, "snapshots", "--repo", repo.toString(), "--verbose")).isEqualTo(2);
        assertThat(dr(wrong, "verify", "--repo", repo.toString())).isEqualTo(2);
        Path pwFile = dir.resolve("pw");
        Files.writeString(pwFile, WRONG_PASSWORD + "\n");
        assertThat(dr(Map.of(), "snapshots", "--repo", repo.toString(), "--password-file", pwFile.toString(),
                "--verbose")).isEqualTo(2);
        assertNoSecretSeen();
    }

    @Test
    void s3CredentialsInAUriNeverReachTheOutput() {
        Map<String, String> env = Map.of("DR_PASSWORD", PASSWORD);
        String withUserInfo = "s3://" + S3_ACCESS + ":" + S3_SECRET + "@bucket/repo?endpoint=http://127.0.0.1:9";
        String withOption = "s3://bucket/repo?endpoint=http://127.0.0.1:9&region=us-east-1&maxAttempts=1"
                + "&secretAccessKey=" + S3_SECRET + "&accessKeyId=" + S3_ACCESS;
        String unreachable = "s3://bucket/repo?endpoint=http://" + S3_ACCESS + ":" + S3_SECRET
                + "@127.0.0.1:9&region=us-east-1&maxAttempts=1&connectTimeout=1s";
        List<Integer> exits = new ArrayList<>();
        for (String uri : List.of(withUserInfo, withOption, unreachable)) {
            exits.add(dr(env, "snapshots", "--repo", uri, "--verbose"));
            exits.add(dr(env, "init", "--repo", uri));
        }
        assertThat(exits).doesNotContain(0);
        assertNoSecretSeen();
    }

    @Test
    void anAzureConnectionStringNeverReachesTheOutputOrExceptions() {
        Map<String, String> env = Map.of("AZURE_STORAGE_CONNECTION_STRING", AZURE_CONNECTION);
        AzureBlobStoreConfig config = AzureBlobStoreConfig.fromUri(
                URI.create("azblob://seed-container/repo?maxAttempts=1&connectTimeout=1s&attemptTimeout=2s"), env);
        seen.append(config).append('\n');
        try (SnapshotStore store = AzureBlobStore.open(config)) {
            seen.append(store.describe()).append('\n').append(store).append('\n');
            store.stat("config");
        } catch (RuntimeException e) {
            sawThrown(e);
        }
        try {
            AzureBlobStoreConfig.fromUri(URI.create("azblob://seed-container/repo?blockSize=nope"),
                    Map.of("AZURE_STORAGE_CONNECTION_STRING", AZURE_CONNECTION.replace("http;", "bogus;")));
        } catch (RuntimeException e) {
            sawThrown(e);
        }
        assertNoSecretSeen();
    }
}
