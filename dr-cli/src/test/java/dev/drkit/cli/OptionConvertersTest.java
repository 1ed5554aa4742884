package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.repository.KdfParams;
import dev.drkit.core.repository.Repository;
import dev.drkit.core.repository.RepositoryOptions;
import dev.drkit.core.store.SnapshotStores;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Option values as the commands take them, and what they say about a value they refuse. */
class OptionConvertersTest {
    private static final String PASSWORD = "correct horse";
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    /** Types picocli takes as they are written (text, paths) or that take no value (flags). */
    private static final Set<Class<?>> VERBATIM = Set.of(String.class, Path.class, boolean.class, Boolean.class);

    @TempDir
    Path dir;

    private static AuditCommandTest.Run dr(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = DrCommand.newCommandLine(Map.of("DR_PASSWORD", PASSWORD), args);
        ((DrCommand) cl.getCommand()).clock = Clock.fixed(NOW, ZoneOffset.UTC);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new AuditCommandTest.Run(exit, out.toString(), err.toString());
    }

    private Path plan() throws Exception {
        return Files.writeString(dir.resolve("one.json"), "{\"name\":\"one\",\"objectives\":{\"rto\":\"5m\","
                + "\"rpo\":\"5m\"},\"steps\":[{\"name\":\"a\",\"kind\":\"command\",\"run\":[\"true\"]}]}");
    }

    @Test
    void everyOptionThatTakesAValueNamesItselfTheAcceptedFormAndTheValueItRefuses() {
        List<String> checked = new ArrayList<>();
        for (CommandLine top : DrCommand.newCommandLine(Map.of()).getSubcommands().values()) {
            for (CommandSpec command : commands(top.getCommandSpec())) {
                for (OptionSpec option : command.options()) {
                    Class<?> type = option.auxiliaryTypes()[option.auxiliaryTypes().length - 1];
                    if (option.arity().max() < 1 || VERBATIM.contains(type) || option.usageHelp()
                            || option.versionHelp()) {
                        continue;
                    }
                    String[] args = Stream.concat(Stream.of(command.qualifiedName(" ").split(" ")).skip(1),
                            Stream.of(option.longestName(), "bogus!")).toArray(String[]::new);
                    AuditCommandTest.Run run = dr(args);

                    assertThat(run.exit()).as(String.join(" ", args)).isEqualTo(DrCommand.EXIT_USAGE);
                    assertThat(run.err()).as(String.join(" ", args))
                            .contains("Invalid value for option '" + option.longestName() + "'")
                            .contains(": expected ").contains(", but was 'bogus!'")
                            .doesNotContain("java.").doesNotContain("class ");
                    checked.add(String.join(" ", args));
                }
            }
        }
        // durations, instants, whole numbers, numbers and formats, in a dozen commands
        assertThat(checked).hasSizeGreaterThan(25)
                .contains("plan run --wait bogus!", "watch --heartbeat-every bogus!", "audit list --from bogus!",
                        "plan render --format bogus!", "simulate rollback --runs bogus!", "restore --at bogus!",
                        "postgres restore --at bogus!");
    }

    private static List<CommandSpec> commands(CommandSpec spec) {
        List<CommandSpec> all = new ArrayList<>(List.of(spec));
        for (CommandLine sub : spec.subcommands().values()) {
            all.addAll(commands(sub.getCommandSpec()));
        }
        return all;
    }

    @Test
    void aBadDurationIsNamedWithTheFormsADurationTakes() {
        AuditCommandTest.Run run = dr("plan", "run", "--file", "plan.yaml", "--drill", "--wait", "x");

        assertThat(run.exit()).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(run.err()).startsWith("Invalid value for option '--wait': expected a duration such as 30s, 5m, "
                + "1h30m, 250ms, 2d or ISO-8601 PT30S, but was 'x'");
        assertThat(dr("watch", "--repo", "r", "d", "--heartbeat-every", "PT-5S").err())
                .contains("'--heartbeat-every': expected a duration of 0 or more, such as 30s");
    }

    @Test
    void durationsTakeThePlanFilesFormsAsWellAsIso8601() throws Exception {
        Path plan = plan();
        for (String wait : List.of("30s", "5m", "1h30m", "PT30S", "2d")) {
            AuditCommandTest.Run run = dr("plan", "run", "--file", plan.toString(), "--drill", "--wait", wait);
            assertThat(run.exit()).as("--wait %s: %s", wait, run.err()).isZero();
        }
    }

    @Test
    void detectedAtTakesAnOffsetOrATimeAgo() throws Exception {
        Path plan = plan();
        JsonMapper json = JsonMapper.builder().build();

        JsonNode offset = json.readTree(dr("plan", "run", "--file", plan.toString(), "--drill", "--json",
                "--detected-at", "2026-12-07T13:00:00+01:00").out());
        JsonNode ago = json.readTree(dr("plan", "run", "--file", plan.toString(), "--drill", "--json",
                "--detected-at", "10m ago").out());
        JsonNode spaced = json.readTree(dr("plan", "run", "--file", plan.toString(), "--drill", "--json",
                "--detected-at", "2026-12-07 11:30Z").out());

        assertThat(offset.get("detectedAt").asString()).isEqualTo("2026-12-07T12:00:00Z");
        assertThat(ago.get("detectedAt").asString()).isEqualTo("2026-12-07T11:50:00Z");
        assertThat(spaced.get("detectedAt").asString()).isEqualTo("2026-12-07T11:30:00Z");
    }

    @Test
    void aTimeWithoutAnOffsetIsRefusedSayingWhatToAdd() {
        for (String local : List.of("2026-12-07 13:00", "2026-12-07T13:00", "13:00")) {
            AuditCommandTest.Run run = dr("plan", "run", "--file", "plan.yaml", "--drill", "--detected-at", local);

            assertThat(run.exit()).as(local).isEqualTo(DrCommand.EXIT_USAGE);
            assertThat(run.err()).as(local).startsWith("Invalid value for option '--detected-at': expected an ISO-8601 "
                    + "instant such as 2026-12-07T12:00:00Z or 2026-12-07T13:00:00+01:00, or a time ago such as 10m "
                    + "ago, but was '" + local + "' (it has no offset: add Z for UTC, or the zone's offset such as "
                    + "+01:00)");
        }
        assertThat(dr("audit", "list", "--file", "a.jsonl", "--from", "yesterday").err())
                .startsWith("Invalid value for option '--from': expected an ISO-8601 instant")
                .contains("but was 'yesterday'\n");
    }

    @Test
    void numbersAndFormatsSayWhatTheyTake() throws Exception {
        assertThat(dr("simulate", "rollback", "--runs", "99999999999").err())
                .startsWith("Invalid value for option '--runs': expected a whole number of at most 2147483647, "
                        + "but was '99999999999'");
        assertThat(dr("forget", "--repo", "r", "--keep-last", "two").err())
                .startsWith("Invalid value for option '--keep-last': expected a whole number such as 10, but was 'two'");
        assertThat(dr("simulate", "rollback", "--alpha", "NaN").err())
                .startsWith("Invalid value for option '--alpha': expected a finite number such as 0.05 or 3, "
                        + "but was 'NaN'");
        assertThat(dr("plan", "render", "--file", "p.yaml", "--format", "pdf").err())
                .startsWith("Invalid value for option '--format': expected one of markdown, json, but was 'pdf'");
        // formats are taken in any case
        AuditCommandTest.Run upper = dr("plan", "render", "--file", plan().toString(), "--format", "JSON");
        assertThat(upper.exit()).as(upper.err()).isZero();
        assertThat(upper.out()).startsWith("{");
    }

    @Test
    void restoreAtTakesTheSameInstantsAndNamesThemWhenRefused() throws Exception {
        try (SnapshotStore store = SnapshotStores.open(dir.resolve("repo").toString());
                Repository repo = Repository.init(store, PASSWORD.toCharArray(),
                        RepositoryOptions.builder().kdf(new KdfParams(256, 1, 1)).build())) {
            // an empty repository: nothing journaled
        }

        AuditCommandTest.Run run = dr("restore", "--repo", dir.resolve("repo").toString(), "--at", "yesterday",
                "--target", dir.resolve("out").toString());

        assertThat(run.exit()).isEqualTo(DrCommand.EXIT_USAGE);
        assertThat(run.err()).isEqualTo("Invalid value for option '--at': expected an ISO-8601 instant such as "
                + "2026-12-07T12:00:00Z or 2026-12-07T13:00:00+01:00, a time ago such as 10m ago, or 'latest', but "
                + "was 'yesterday'\nTry 'dr restore --help'.\n");
        assertThat(dr("restore", "--repo", dir.resolve("repo").toString(), "--at", "10m ago", "--target",
                dir.resolve("out").toString()).err()).doesNotContain("Invalid value");
    }
}
