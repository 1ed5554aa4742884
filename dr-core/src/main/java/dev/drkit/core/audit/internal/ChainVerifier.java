package dev.drkit.core.audit.internal;

import dev.drkit.core.audit.AuditDigest;
import dev.drkit.core.audit.AuditRecord;
import dev.drkit.core.audit.AuditVerification;
import java.io.IOException;
import java.io.Reader;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Walks a chain line by line and stops at the first problem. In parse-only mode it checks
 * that each line is a record but not the chain (for reading a keyed log without its key).
 */
final class ChainVerifier {
    private final AuditLines lines;
    private final boolean keyed;
    private boolean keyMismatch;
    private final @Nullable Consumer<AuditRecord> sink;
    private boolean parseOnly;
    private long expectedSeq = 1;
    private String prev = AuditLines.GENESIS;
    private @Nullable AuditRecord last;
    private long badSeq = -1;
    private String problem = "";
    private long count;
    private @Nullable AuditDigest expected;

    /**
     * Creates a verifier.
     *
     * @param hmacKey the chain key, or null
     * @param sink receives each sound record, or null
     */
    public ChainVerifier(byte @Nullable [] hmacKey, @Nullable Consumer<AuditRecord> sink) {
        this.lines = new AuditLines(hmacKey);
        this.keyed = hmacKey != null;
        this.sink = sink;
    }

    /**
     * Sets a digest kept elsewhere: the record it names must be present with its hash.
     *
     * @param digest the digest, or null
     */
    public void expect(@Nullable AuditDigest digest) {
        this.expected = digest;
    }

    /** Checks only that lines are well-formed records in sequence, not their hashes. */
    public void parseOnly() {
        this.parseOnly = true;
    }

    /**
     * Returns whether a problem was found (later lines are ignored).
     *
     * @return true after the first problem
     */
    public boolean failed() {
        return badSeq >= 0;
    }

    /**
     * Checks the next line.
     *
     * @param line the line without its newline
     * @param complete false for a last line without a newline (torn by a crash)
     */
    public void accept(String line, boolean complete) {
        if (failed()) {
            return;
        }
        if (!complete) {
            fail(expectedSeq, "record " + expectedSeq + " is incomplete (the log ends in the middle of a line)");
            return;
        }
        AuditLines.Parsed p;
        try {
            p = lines.parse(line);
        } catch (IllegalArgumentException e) {
            fail(expectedSeq, "record " + expectedSeq + " is malformed: " + e.getMessage());
            return;
        }
        AuditRecord r = p.record();
        if (r.seq() != expectedSeq) {
            if (r.seq() > expectedSeq) {
                fail(expectedSeq, "record " + expectedSeq + " is missing: found record " + r.seq() + " in its place");
            } else {
                fail(expectedSeq, "record " + expectedSeq + " is out of order: found record " + r.seq()
                        + " in its place");
            }
            return;
        }
        if (!parseOnly) {
            if (!r.prevHash().equals(prev)) {
                fail(r.seq(), "record " + r.seq() + " does not follow record " + (r.seq() - 1)
                        + ": its previous hash differs (a record before it was altered, removed or replaced)");
                return;
            }
            if (!p.hashMatches() && r.seq() == 1) {
                keyMismatch = true;
                if (keyed && new AuditLines(null).parse(line).hashMatches()) {
                    fail(1, "record 1 does not match the key: the log is not keyed (its first record carries a"
                            + " plain SHA-256 hash); verify it without a key");
                } else if (keyed) {
                    fail(1, "record 1 does not match the key: the log was written with another key (or without"
                            + " one, or record 1 was altered)");
                } else {
                    fail(1, "record 1's hash is not the SHA-256 of its content: the log is keyed (verify it with"
                            + " its key), or record 1 was altered");
                }
                return;
            }
            if (!p.hashMatches()) {
                fail(r.seq(), "record " + r.seq() + " was altered: its hash does not match its content");
                return;
            }
        }
        if (expected != null && r.seq() == expected.seq() && !r.hash().equals(expected.hash())) {
            fail(r.seq(), "record " + r.seq() + " differs from the digest kept elsewhere: the log was rewritten");
            return;
        }
        prev = r.hash();
        last = r;
        expectedSeq++;
        count++;
        if (sink != null) {
            sink.accept(r);
        }
    }

    /**
     * Ends the walk and compares the head with a digest kept elsewhere.
     *
     * @return the verification
     */
    public AuditVerification finish() {
        if (!failed() && expected != null) {
            if (last == null || last.seq() < expected.seq()) {
                fail(last == null ? 1 : last.seq() + 1, "the log ends at record " + (last == null ? 0 : last.seq())
                        + " but the digest kept elsewhere names record " + expected.seq()
                        + ": the tail was cut off");
            }
        }
        return new AuditVerification(count, badSeq, problem, last == null ? null : last.digest(), keyMismatch);
    }

    private void fail(long seq, String why) {
        badSeq = seq;
        problem = why;
    }

    /**
     * Feeds a reader's lines to a verifier, telling it whether the last line was complete.
     *
     * @param in the text
     * @param v the verifier
     * @throws IOException when reading fails
     */
    public static void readLines(Reader in, ChainVerifier v) throws IOException {
        char[] buf = new char[1 << 16];
        StringBuilder line = new StringBuilder(512);
        int n;
        while ((n = in.read(buf)) > 0) {
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buf[i] == '\n') {
                    line.append(buf, start, i - start);
                    v.accept(line.toString(), true);
                    line.setLength(0);
                    start = i + 1;
                }
            }
            line.append(buf, start, n - start);
            if (v.failed()) {
                return;
            }
        }
        if (line.length() > 0) {
            v.accept(line.toString(), false);
        }
    }
}
