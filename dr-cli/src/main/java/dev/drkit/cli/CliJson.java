package dev.drkit.cli;

import dev.drkit.core.json.JsonMappers;
import java.io.PrintWriter;
import tools.jackson.databind.ObjectMapper;

/** Prints results as JSON for {@code --json}: one mapper for every command, so output looks alike. */
final class CliJson {
    static final ObjectMapper MAPPER = JsonMappers.indented();

    private CliJson() {
    }

    /** For JSON lines: one value per line. */
    static final ObjectMapper COMPACT = JsonMappers.compact();

    /** Prints a value (records, maps and lists serialize as JSON objects and arrays). */
    static void print(PrintWriter out, Object value) {
        out.println(MAPPER.writeValueAsString(value));
        out.flush();
    }

    /** Prints a value on one line, for output read as JSON lines. */
    static void printLine(PrintWriter out, Object value) {
        out.println(COMPACT.writeValueAsString(value));
    }
}
