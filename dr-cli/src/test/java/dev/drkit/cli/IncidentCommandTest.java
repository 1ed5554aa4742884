package dev.drkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.cli.AuditCommandTest.Run;
import dev.drkit.core.json.JsonMappers;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class IncidentCommandTest {
    @TempDir
    Path dir;

    Run dr(String... args) {
        return AuditCommandTest.dr(args);
    }

    @Test
    void listAndReportReadTheLogWhileAServiceKeepsWritingIt() {
        String audit = dir.resolve("service-audit.jsonl").toString();
        Run opened = dr("incident", "open", "--audit", audit, "--title", "checkout down", "--fault", "software",
                "--json");
        assertThat(opened.exit()).as(opened.err()).isZero();
        String id = JsonMappers.compact().readTree(opened.out()).get("id").asString();
        try (dev.drkit.core.audit.AuditLog service = dev.drkit.core.audit.AuditLog.file(Path.of(audit))) {
            Run list = dr("incident", "list", "--audit", audit);
            assertThat(list.exit()).as(list.err()).isZero();
            assertThat(list.out()).contains(id + " OPEN");
            Run report = dr("report", "incident", "--audit", audit, "--incident", id);
            assertThat(report.exit()).as(report.err()).isZero();
            Run note = dr("incident", "note", "--audit", audit, "--incident", id, "--text", "x");
            assertThat(note.exit()).as("a write still needs the writer's lock").isNotZero();
            assertThat(note.err()).contains("is written by another process");
        }
    }

    @Test
    void anIncidentOpenedInOneProcessIsAddedToNotedResolvedAndReportedInOthers() {
        String audit = dir.resolve("audit.jsonl").toString();
        Run opened = dr("incident", "open", "--audit", audit, "--title", "orders corrupted", "--fault", "data",
                "--severity", "sev1", "--dedup-key", "fault:data", "--actor", "alice", "--json");
        assertThat(opened.exit()).as(opened.err()).isZero();
        JsonNode incident = JsonMappers.compact().readTree(opened.out());
        String id = incident.get("id").asString();
        assertThat(incident.get("severity").asString()).isEqualTo("SEV1");
        assertThat(incident.get("faultType").asString()).isEqualTo("DATA");

        Run again = dr("incident", "open", "--audit", audit, "--title", "orders still corrupted", "--fault", "data",
                "--dedup-key", "fault:data", "--actor", "bob");
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).startsWith("added to open incident " + id + " OPEN SEV1 DATA: orders corrupted");

        assertThat(dr("incident", "note", "--audit", audit, "--incident", id, "--text", "restore started").exit())
                .isZero();
        Run resolved = dr("incident", "resolve", "--audit", audit, "--incident", id, "--resolution", "restored",
                "--root-cause", "a bad migration");
        assertThat(resolved.out()).startsWith("resolved " + id + " RESOLVED");

        Run third = dr("incident", "open", "--audit", audit, "--title", "orders corrupted again", "--fault", "data",
                "--dedup-key", "fault:data");
        assertThat(third.out()).startsWith("opened incident ").doesNotContain(id);

        Run list = dr("incident", "list", "--audit", audit);
        assertThat(list.out()).contains(id + " RESOLVED SEV1 DATA: orders corrupted")
                .contains("repeated     bob        orders still corrupted")
                .contains("restore started")
                .contains("root-cause");
        assertThat(dr("incident", "list", "--audit", audit, "--open").out()).doesNotContain(id + " ");

        Run report = dr("report", "incident", "--audit", audit, "--incident", id);
        assertThat(report.exit()).as(report.err()).isZero();
        assertThat(report.out()).contains("orders corrupted").contains("a bad migration");
        Run html = dr("report", "incident", "--audit", audit, "--incident", id, "--format", "html");
        assertThat(html.exit()).as(html.err()).isZero();
        assertThat(html.out()).startsWith("<!DOCTYPE html>").contains("<svg class=\"timeline\"")
                .contains("a bad migration");
        assertThat(dr("audit", "verify", "--file", audit).exit()).isZero();
    }

    @Test
    void badInputIsNamed() {
        String audit = dir.resolve("audit.jsonl").toString();
        Run fault = dr("incident", "open", "--audit", audit, "--title", "x", "--fault", "cosmic");
        assertThat(fault.exit()).isEqualTo(2);
        assertThat(fault.err()).contains("--fault must be one of hardware, software, network, data, security, but was "
                + "'cosmic'");
        Run sev = dr("incident", "open", "--audit", audit, "--title", "x", "--fault", "data", "--severity", "SEV9");
        assertThat(sev.exit()).isEqualTo(2);
        assertThat(sev.err()).contains("--severity must be one of SEV1, SEV2, SEV3, SEV4, but was 'SEV9'");
        Run unknown = dr("incident", "note", "--audit", audit, "--incident", "INC-nope", "--text", "x");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("no incident INC-nope");
        Run noDir = dr("incident", "list", "--audit", dir.resolve("missing/audit.jsonl").toString());
        assertThat(noDir.exit()).isEqualTo(2);
        assertThat(noDir.err()).contains("does not exist");
    }

    @Test
    void emptyTitlesNotesAndResolutionsAreRefusedNamingTheOptionAndRecordNothing() throws Exception {
        String audit = dir.resolve("audit.jsonl").toString();
        Run title = dr("incident", "open", "--audit", audit, "--title", "", "--fault", "data");
        assertThat(title.exit()).isEqualTo(2);
        assertThat(title.err()).contains("--title must not be blank, but was ''");
        Run opened = dr("incident", "open", "--audit", audit, "--title", "orders down", "--fault", "data", "--json");
        String id = JsonMappers.compact().readTree(opened.out()).get("id").asString();
        Run note = dr("incident", "note", "--audit", audit, "--incident", id, "--text", "  ");
        assertThat(note.exit()).isEqualTo(2);
        assertThat(note.err()).contains("--text must not be blank, but was '  '");
        Run resolution = dr("incident", "resolve", "--audit", audit, "--incident", id, "--resolution", "");
        assertThat(resolution.exit()).isEqualTo(2);
        assertThat(resolution.err()).contains("--resolution must not be blank");
        Run list = dr("incident", "list", "--audit", audit, "--json");
        assertThat(JsonMappers.compact().readTree(list.out())).singleElement().satisfies(i -> {
            assertThat(i.get("status").asString()).isEqualTo("OPEN");
            assertThat(i.get("timeline")).hasSize(2);
        });
    }

    @Test
    void aResolvedIncidentIsNotResolvedAgainAndACauseFoundLaterIsANote() {
        String audit = dir.resolve("audit.jsonl").toString();
        Run opened = dr("incident", "open", "--audit", audit, "--title", "orders down", "--fault", "data", "--json");
        String id = JsonMappers.compact().readTree(opened.out()).get("id").asString();
        assertThat(dr("incident", "resolve", "--audit", audit, "--incident", id, "--resolution", "restarted",
                "--actor", "alice").exit()).isZero();
        Run again = dr("incident", "resolve", "--audit", audit, "--incident", id, "--resolution", "failed over",
                "--root-cause", "a bad disk", "--actor", "bob");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("incident " + id + " is resolved already, at ").contains(" by alice: restarted;")
                .contains("add a note instead, of kind root-cause");
        assertThat(again.out()).isEmpty();
        Run note = dr("incident", "note", "--audit", audit, "--incident", id, "--kind", "root-cause", "--text",
                "a bad disk", "--actor", "bob");
        assertThat(note.exit()).as(note.err()).isZero();
        Run list = dr("incident", "list", "--audit", audit);
        assertThat(list.out()).containsOnlyOnce("resolved ").doesNotContain("failed over");
        Run report = dr("report", "incident", "--audit", audit, "--incident", id);
        assertThat(report.out()).contains("- Root cause: a bad disk").contains("restarted").doesNotContain("failed over");
    }

    @Test
    void everyTimelineEntryNamesOneActorWhoActed() {
        String audit = dir.resolve("audit.jsonl").toString();
        Run opened = dr("incident", "open", "--audit", audit, "--title", "orders down", "--fault", "data",
                "--actor", "alice", "--json");
        String id = JsonMappers.compact().readTree(opened.out()).get("id").asString();
        dr("incident", "resolve", "--audit", audit, "--incident", id, "--resolution", "restarted", "--actor", "bob");

        Run list = dr("incident", "list", "--audit", audit);
        assertThat(list.out()).contains(" opened       alice      operator report\n")
                .contains(" resolved     bob        restarted\n").doesNotContain("operator   ");
        Run report = dr("report", "incident", "--audit", audit, "--incident", id);
        assertThat(report.out()).contains("alice opened a SEV2 data incident by hand: orders down.")
                .contains("- Trigger: operator report\n")
                .contains("| alice | incident opened by hand: orders down (SEV2, DATA) |")
                .doesNotContain("opened by alice").doesNotContain("by operator");
    }

    @Test
    void titlesActorsAndNotesFromTheAuditLogAreEscapedInTextOutput() {
        String audit = dir.resolve("audit.jsonl").toString();
        Run opened = dr("incident", "open", "--audit", audit, "--title", "orders\u001b[2J gone\nfake line",
                "--fault", "data", "--actor", "eve\u001b]0;x\u0007");
        assertThat(opened.exit()).as(opened.err()).isZero();
        assertThat(opened.out()).contains("orders\\x1b[2J gone\\nfake line").doesNotContain("\u001b");
        Run list = dr("incident", "list", "--audit", audit);
        assertThat(list.out()).contains("eve\\x1b]0;x\\x07").doesNotContain("\u001b").doesNotContain("\u0007");
        Run json = dr("incident", "list", "--audit", audit, "--json");
        assertThat(json.out()).contains("\\u001B[2J").as("JSON keeps the title exact");
    }
}
