package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.storage.s3.S3ProxyServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI against a real S3 server (S3Proxy, in process): init creates the bucket, then the usual cycle. */
class CloudRepositoryCommandsTest {
    private Map<String, String> environment = System.getenv();

    private static S3ProxyServer server;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.start();
        // The SDK's default credential chain reads these system properties as it reads AWS_ACCESS_KEY_ID.
        System.setProperty("aws.accessKeyId", S3ProxyServer.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3ProxyServer.SECRET_KEY);
    }

    @AfterAll
    static void stopServer() throws Exception {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        server.close();
    }

    @AfterEach
    void resetEnvironment() {
        environment = System.getenv();
    }

    private int dr(String... args) {
        CommandLine cl = DrCommand.newCommandLine(environment);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void initCreatesTheBucketAndTheRepositoryWorksEndToEnd() throws Exception {
        environment = Map.of("DR_PASSWORD", "s3 password");
        Path data = dir.resolve("orders");
        Files.createDirectories(data.resolve("a"));
        Files.writeString(data.resolve("a/order.json"), "{\"id\":7}");
        Files.write(data.resolve("big.bin"), new byte[3_000_000]);
        String repo = "s3://fresh-bucket/repo?endpoint=" + server.endpoint() + "&region=us-east-1&pathStyle=true";

        assertThat(dr("init", "--repo", repo)).as(err.toString()).isZero();
        assertThat(out.toString()).contains("created repository").doesNotContain(S3ProxyServer.SECRET_KEY);
        assertThat(dr("backup", "--repo", repo, data.toString())).as(err.toString()).isZero();
        assertThat(dr("verify", "--repo", repo, "--read-data")).as(err.toString()).isZero();
        Path target = dir.resolve("restored");
        assertThat(dr("restore", "--repo", repo, "latest", "--target", target.toString())).as(err.toString()).isZero();
        assertThat(target.resolve("orders/a/order.json")).hasContent("{\"id\":7}");
        assertThat(Files.size(target.resolve("orders/big.bin"))).isEqualTo(3_000_000);
        assertThat(dr("init", "--repo", repo)).isEqualTo(2);
        assertThat(err.toString()).containsIgnoringCase("already");
    }

    @Test
    void copyInitCreatesTheDestinationBucketAsInitDoes() throws Exception {
        environment = Map.of("DR_PASSWORD", "s3 password");
        Path data = dir.resolve("orders");
        Files.createDirectories(data);
        Files.writeString(data.resolve("order.json"), "{\"id\":8}");
        String options = "?endpoint=" + server.endpoint() + "&region=us-east-1&pathStyle=true";
        String repo = "s3://copy-source/repo" + options;
        assertThat(dr("init", "--repo", repo)).as(err.toString()).isZero();
        assertThat(dr("backup", "--repo", repo, data.toString())).as(err.toString()).isZero();

        String copy = "s3://region2/copy" + options;
        assertThat(dr("copy", "--repo", repo, "--to", copy, "--init")).as(err.toString()).isZero();
        assertThat(dr("snapshots", "--repo", copy)).as(err.toString()).isZero();
        assertThat(out.toString()).contains("orders");
    }

    @Test
    void aWrongSecretKeyIsACredentialsErrorWithExitTwoAndTheMessageKeepsTheUriAsGiven() throws Exception {
        environment = Map.of("DR_PASSWORD", "s3 password");
        String repo = "s3://denied-bucket/repo?endpoint=" + server.endpoint() + "&region=us-east-1&pathStyle=true";
        assertThat(dr("init", "--repo", repo)).as(err.toString()).isZero();
        System.setProperty("aws.secretAccessKey", "not-the-secret");
        try {
            assertThat(dr("snapshots", "--repo", repo)).as(err.toString()).isEqualTo(2);
        } finally {
            System.setProperty("aws.secretAccessKey", S3ProxyServer.SECRET_KEY);
        }
        assertThat(err.toString()).contains("Access denied").contains("AWS_SECRET_ACCESS_KEY")
                .contains("&pathStyle=true").doesNotContain("not-the-secret");
    }

    @Test
    void aFailedPlanRunNamesItsJournalAndHowToTryAgainWithoutTheCredentialsInItsUri() throws Exception {
        environment = Map.of("DR_PASSWORD", "s3 password");
        String endpoint = "?endpoint=" + server.endpoint() + "&region=us-east-1&pathStyle=true";
        assertThat(dr("init", "--repo", "s3://plans/repo" + endpoint)).as(err.toString()).isZero();
        Path plan = dir.resolve("failing.yaml");
        Files.writeString(plan, "name: failing\nobjectives: {rto: 5m, rpo: 5m}\nsteps:\n"
                + "  - {name: broken, kind: command, run: ['false']}\n");
        // An endpoint with user information (a proxy's, say) is a secret the output must not show.
        String journal = "s3://plans/journal?endpoint=" + server.endpoint().toString().replace("://",
                "://proxy:" + S3ProxyServer.SECRET_KEY + "@") + "&region=us-east-1&pathStyle=true";

        int exit = dr("plan", "run", "--file", plan.toString(), "--live", "--journal", journal, "--id", "run-1");

        assertThat(exit).as(out + "" + err).isNotZero();
        assertThat(out.toString()).as(err.toString()).contains("execution run-1 is recorded as finished in the journal s3://plans/journal",
                "to try again after fixing the cause: dr plan run --file").doesNotContain("--resume")
                .doesNotContain(S3ProxyServer.SECRET_KEY);
        assertThat(err.toString()).doesNotContain(S3ProxyServer.SECRET_KEY);
    }
}
