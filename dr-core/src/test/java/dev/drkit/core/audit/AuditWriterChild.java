package dev.drkit.core.audit;

import dev.drkit.api.DrException;
import dev.drkit.api.audit.AuditEvent;
import dev.drkit.api.audit.AuditOutcome;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * A second service instance for the cross-process tests: opens the audit log of its first
 * argument and appends as many records as its second says, then prints {@code appended N}, or
 * prints the code and message that refused it. With a third argument {@code crash} it halts
 * without closing the log, as a process killed with kill -9 would leave it.
 */
public final class AuditWriterChild {
    private AuditWriterChild() {
    }

    /**
     * Opens, appends, and closes or halts.
     *
     * @param args the log file, the number of records, and optionally {@code crash}
     */
    public static void main(String[] args) {
        int n = Integer.parseInt(args[1]);
        AuditLog log;
        try {
            log = AuditLog.file(Path.of(args[0]));
        } catch (DrException e) {
            System.out.println("refused " + e.code() + ": " + e.getMessage());
            return;
        }
        for (int i = 1; i <= n; i++) {
            log.append(new AuditEvent(Instant.now(), "child", "forget", "snapshot-" + i, AuditOutcome.SUCCESS,
                    Map.of("i", Integer.toString(i))));
        }
        System.out.println("appended " + n);
        System.out.flush();
        if (args.length > 2 && args[2].equals("crash")) {
            Runtime.getRuntime().halt(0);
        }
        log.close();
    }
}
