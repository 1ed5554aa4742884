package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.cli.AuditCommandTest.Run;
import dev.drkit.core.json.JsonMappers;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyedAuditWritesTest {
    @TempDir
    Path dir;

    String audit;
    String key;
    String otherKey;
    String plan;

    Run dr(String... args) {
        return AuditCommandTest.dr(args);
    }

    @BeforeEach
    void files() throws Exception {
        audit = dir.resolve("audit.jsonl").toString();
        key = Files.writeString(dir.resolve("key"), "the-audit-key").toString();
        otherKey = Files.writeString(dir.resolve("other-key"), "another-key").toString();
        Path p = dir.resolve("plan.yaml");
        Files.writeString(p, String.join("\n", "name: quick-fix", "objectives: {rto: 10m, rpo: 15m}", "steps:",
                "  - {name: restart, kind: command, run: ['true']}", ""));
        plan = p.toString();
    }

    private String openIncident(String... keyArgs) {
        String[] base = {"incident", "open", "--audit", audit, "--title", "orders down", "--fault", "software", "--json"};
        String[] args = new String[base.length + keyArgs.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(keyArgs, 0, args, base.length, keyArgs.length);
        Run opened = dr(args);
        assertThat(opened.exit()).as(opened.err()).isZero();
        return JsonMappers.compact().readTree(opened.out()).get("id").asString();
    }

    @Test
    void anIncidentAndAPlanRunWrittenWithAKeyVerifyOnlyWithThatKey() {
        String id = openIncident("--key-file", key);
        Run note = dr("incident", "note", "--audit", audit, "--key-file", key, "--incident", id, "--text", "restarting");
        assertThat(note.exit()).as(note.err()).isZero();
        Run run = dr("plan", "run", "--file", plan, "--live", "--audit", audit, "--key-file", key, "--incident", id);
        assertThat(run.exit()).as(run.err()).isZero();
        Run resolved = dr("incident", "resolve", "--audit", audit, "--key-file", key, "--incident", id,
                "--resolution", "restarted");
        assertThat(resolved.exit()).as(resolved.err()).isZero();

        Run keyed = dr("audit", "verify", "--file", audit, "--key-file", key);
        assertThat(keyed.exit()).as(keyed.out()).isZero();
        assertThat(keyed.out()).contains("audit log intact");
        Run unkeyed = dr("audit", "verify", "--file", audit);
        assertThat(unkeyed.exit()).isEqualTo(3);
        assertThat(unkeyed.out()).contains("does not match the key (none given)");
        Run other = dr("audit", "verify", "--file", audit, "--key-file", otherKey);
        assertThat(other.exit()).isEqualTo(3);
        assertThat(other.out()).contains("does not match the key in " + otherKey);

        Run report = dr("report", "incident", "--audit", audit, "--key-file", key, "--incident", id);
        assertThat(report.exit()).as(report.err()).isZero();
        assertThat(report.out()).contains("orders down");
        assertThat(dr("incident", "list", "--audit", audit, "--key-file", key).out()).contains(id + " RESOLVED");
    }

    @Test
    void theKeyFileHelpSaysTheLogIsCheckedWithItAsWellAsWhatIsAppended() {
        for (String sub : new String[] {"open", "note", "resolve", "list"}) {
            Run help = dr("incident", sub, "--help");
            assertThat(help.exit()).as(help.err()).isZero();
            assertThat(help.out().replaceAll("\\s+", " ")).as("dr incident %s --help", sub).contains("--key-file=K The "
                    + "HMAC key of a keyed audit log: the log is checked with it before its incidents are read, a log "
                    + "whose records were not written with it refused (exit 3), and the records that open, note and "
                    + "resolve append are keyed with it.");
        }
        Run help = dr("plan", "run", "--help");
        assertThat(help.exit()).as(help.err()).isZero();
        assertThat(help.out().replaceAll("\\s+", " ")).contains("--key-file=K The HMAC key of a keyed --audit log: "
                + "the log is checked with it before it is read (for the ETA and the --incident's detection), a log "
                + "whose records were not written with it refused (exit 3), and the records appended are keyed with it.");
    }

    @Test
    void appendingWithAnotherKeyOrNoneIsRefusedAndTheLogIsUnchanged() throws Exception {
        String id = openIncident("--key-file", key);
        byte[] before = Files.readAllBytes(Path.of(audit));

        Run other = dr("incident", "note", "--audit", audit, "--key-file", otherKey, "--incident", id, "--text", "x");
        assertThat(other.exit()).isEqualTo(3);
        assertThat(other.err()).contains("refusing to append to audit log " + audit)
                .contains("not written with the key in --key-file " + otherKey);
        Run none = dr("incident", "note", "--audit", audit, "--incident", id, "--text", "x");
        assertThat(none.exit()).isEqualTo(3);
        assertThat(none.err()).contains(audit).contains("it is keyed and no --key-file was given");
        Run run = dr("plan", "run", "--file", plan, "--live", "--audit", audit, "--key-file", otherKey);
        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.err()).contains(audit).contains("--key-file");

        assertThat(Files.readAllBytes(Path.of(audit))).isEqualTo(before);
        assertThat(dr("audit", "verify", "--file", audit, "--key-file", key).exit()).isZero();
    }

    @Test
    void listingAKeyedLogWithoutItsKeySaysItCannotBeReadWithoutKeyFileAndChangesNothing() throws Exception {
        openIncident("--key-file", key);
        byte[] before = Files.readAllBytes(Path.of(audit));

        Run none = dr("incident", "list", "--audit", audit);
        assertThat(none.exit()).isEqualTo(3);
        assertThat(none.err()).contains("cannot verify or read audit log " + audit + " without its key: it is keyed "
                + "and no --key-file was given; give its key with --key-file").doesNotContain("append");
        assertThat(none.out()).isEmpty();
        Run other = dr("incident", "list", "--audit", audit, "--key-file", otherKey);
        assertThat(other.exit()).isEqualTo(3);
        assertThat(other.err()).contains("cannot verify or read audit log " + audit + " with the key in --key-file "
                + otherKey).doesNotContain("append");

        assertThat(Files.readAllBytes(Path.of(audit))).isEqualTo(before);
    }

    @Test
    void appendingWithAKeyToAnUnkeyedLogIsRefusedAndTheLogIsUnchanged() throws Exception {
        String id = openIncident();
        byte[] before = Files.readAllBytes(Path.of(audit));

        Run keyed = dr("incident", "resolve", "--audit", audit, "--key-file", key, "--incident", id,
                "--resolution", "x");
        assertThat(keyed.exit()).isEqualTo(3);
        assertThat(keyed.err()).contains("refusing to append to audit log " + audit).contains("--key-file " + key);
        Run run = dr("plan", "run", "--file", plan, "--live", "--audit", audit, "--key-file", key);
        assertThat(run.exit()).isEqualTo(3);

        assertThat(Files.readAllBytes(Path.of(audit))).isEqualTo(before);
        assertThat(dr("audit", "verify", "--file", audit).exit()).isZero();
    }

    @Test
    void aMissingEmptyOrStrayKeyFileIsNamedAndNothingIsWritten() throws Exception {
        Run missing = dr("incident", "open", "--audit", audit, "--key-file", dir.resolve("nope").toString(),
                "--title", "x", "--fault", "data");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("--key-file " + dir.resolve("nope") + " does not exist");
        String empty = Files.writeString(dir.resolve("empty"), "").toString();
        Run blank = dr("plan", "run", "--file", plan, "--live", "--audit", audit, "--key-file", empty);
        assertThat(blank.exit()).isEqualTo(2);
        assertThat(blank.err()).contains("--key-file " + empty + " is empty");
        Run unreadable = dr("audit", "verify", "--file", audit, "--key-file", dir.toString());
        assertThat(unreadable.exit()).isEqualTo(2);
        assertThat(unreadable.err()).contains("cannot read --key-file " + dir);
        assertThat(Path.of(audit)).doesNotExist();

        Run stray = dr("plan", "run", "--file", plan, "--live", "--key-file", key);
        assertThat(stray.exit()).isEqualTo(2);
        assertThat(stray.err()).contains("--key-file keys the --audit log; give --audit too");
    }
}
