package dev.drkit.cli;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.api.store.SnapshotStore;
import dev.drkit.core.audit.AuditDigest;
import dev.drkit.core.audit.AuditFilter;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.audit.AuditVerification;
import dev.drkit.core.audit.AuditVerifier;
import dev.drkit.core.store.SnapshotStores;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dr audit}: verify and read the hash-chained audit log. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Verify and read the audit log.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.ListRecords.class})
public final class AuditCommand {

    /** Creates the command. */
    public AuditCommand() {
    }

    static byte @Nullable [] readKey(@Nullable Path keyFile) {
        return AuditKeyFile.read(keyFile);
    }

    /**
     * Reads the records of a file log that match a filter after verifying its whole chain, so
     * that no command shows the records of an altered log as if they were sound.
     *
     * @param file the audit log file
     * @param keyFile the HMAC key file of a keyed chain, or null
     * @param filter which records
     * @return the records, oldest first
     * @throws DrException {@code INTEGRITY} (exit 3) naming the first bad record as {@code dr audit verify}
     *     does; {@code NOT_FOUND} when the file is missing
     */
    static List<AuditRecord> readVerified(Path file, @Nullable Path keyFile, AuditFilter filter) {
        AuditVerification v = AuditVerifier.verify(file, readKey(keyFile), null);
        if (!v.intact()) {
            throw new DrException(ErrorCode.INTEGRITY, "audit log " + file + " is not intact, so it is no evidence: "
                    + (v.keyMismatch() ? "it does not match the key: " : "TAMPERED at seq " + v.firstBadSeq() + ": ")
                    + v.problem() + " (dr audit verify says more)", file.toString());
        }
        return AuditVerifier.read(file, filter);
    }

    /** {@code dr audit verify}: checks the chain and names the first bad record. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check the hash chain; exit 3 naming the first altered, deleted or reordered record,"
                    + " or saying that the key does not match the log when its first record fails.",
                    "A missing file, or a store with no log under the prefix, fails with exit 1."})
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--file", description = "The audit log file (JSON lines).")
        @Nullable Path file;

        @Option(names = "--store", description = "A store holding the log as segments (file:..., s3://..., azblob://...).")
        @Nullable String store;

        @Option(names = "--prefix", defaultValue = "audit", description = "The log's key prefix in the store (default: ${DEFAULT-VALUE}).")
        String prefix;

        @Option(names = "--key-file", description = "The HMAC key of a keyed chain.")
        @Nullable Path keyFile;

        @Option(names = "--digest", description = "A digest SEQ:HASH kept elsewhere; detects a cut-off tail.")
        @Nullable String digest;

        @Option(names = "--json", description = "Print the result as JSON.")
        boolean json;

        @Override
        public Integer call() {
            AuditDigest expected = digest == null ? null : AuditDigest.parse(digest);
            AuditVerification v;
            if ((file == null) == (store == null)) {
                throw new DrException(ErrorCode.INVALID_ARGUMENT, "give exactly one of --file and --store", "--file");
            }
            if (file != null) {
                v = AuditVerifier.verify(file, readKey(keyFile), expected);
            } else {
                try (SnapshotStore s = SnapshotStores.open(store)) {
                    v = AuditVerifier.verify(s, prefix, readKey(keyFile), expected);
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, @Nullable Object> result = new LinkedHashMap<>();
                result.put("intact", v.intact());
                result.put("records", v.records());
                result.put("firstBadSeq", v.intact() ? null : v.firstBadSeq());
                result.put("problem", v.problem());
                result.put("keyMismatch", v.keyMismatch());
                result.put("head", v.headDigest().map(Object::toString).orElse(null));
                CliJson.printLine(out, result);
            } else if (v.intact()) {
                out.println("audit log intact: " + Counts.of(v.records(), "record")
                        + v.headDigest().map(d -> ", head " + d).orElse(""));
            } else if (v.keyMismatch()) {
                out.println("audit log does not match the key" + (keyFile == null ? " (none given)" : " in " + keyFile)
                        + ": " + v.problem());
            } else {
                out.println("audit log TAMPERED at seq " + v.firstBadSeq() + ": " + v.problem());
                out.println(Counts.of(v.records(), "record") + " before it " + (v.records() == 1 ? "is" : "are") + " sound");
            }
            out.flush();
            return v.intact() ? DrCommand.EXIT_OK : DrCommand.EXIT_INTEGRITY;
        }
    }

    /** {@code dr audit list}: prints the records that match a filter. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = {"List audit records, filtered.",
            "The whole chain is verified first: an altered log is refused with exit 3 naming the first bad record,"
                    + " as dr audit verify and dr report incident do."})
    static final class ListRecords implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--file", required = true, description = "The audit log file (JSON lines).")
        Path file;

        @Option(names = "--key-file", description = "The HMAC key of a keyed chain.")
        @Nullable Path keyFile;

        @Option(names = "--actor", description = "Only this actor.")
        @Nullable String actor;

        @Option(names = "--action", description = "Only this action, or a prefix ending in .* (plan.*).")
        @Nullable String action;

        @Option(names = "--target", description = "Only this target.")
        @Nullable String target;

        @Option(names = "--from", paramLabel = "INSTANT",
                description = "Only records at or after this instant: " + InstantText.FORMS + ".")
        @Nullable Instant from;

        @Option(names = "--until", paramLabel = "INSTANT",
                description = "Only records before this instant: " + InstantText.FORMS + ".")
        @Nullable Instant until;

        @Option(names = "--json", description = "Print JSON lines.")
        boolean json;

        @Override
        public Integer call() {
            AuditFilter filter = new AuditFilter(from, until, actor, action, target);
            List<AuditRecord> records = readVerified(file, keyFile, filter);
            PrintWriter out = spec.commandLine().getOut();
            for (AuditRecord r : records) {
                if (json) {
                    Map<String, Object> record = new LinkedHashMap<>();
                    record.put("seq", r.seq());
                    record.put("time", r.time().toString());
                    record.put("actor", r.actor());
                    record.put("action", r.action());
                    record.put("target", r.target());
                    record.put("outcome", r.outcome().toString());
                    record.put("details", new TreeMap<>(r.details()));
                    CliJson.printLine(out, record);
                } else {
                    out.printf("%6d  %s  %-12s %-22s %-24s %-8s %s%n", r.seq(), r.time(), TerminalText.escape(r.actor()),
                            TerminalText.escape(r.action()), TerminalText.escape(r.target()), r.outcome(),
                            r.details().isEmpty() ? "" : TerminalText.escape(new TreeMap<>(r.details()).toString()));
                }
            }
            out.flush();
            return DrCommand.EXIT_OK;
        }
    }
}
