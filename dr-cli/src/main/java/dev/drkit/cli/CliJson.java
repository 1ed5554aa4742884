package dev.drkit.cli;

import java.io.PrintWriter;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Prints results as JSON for {@code --json}: one mapper for every command, so output looks alike. */
final class CliJson {
    static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private CliJson() {
    }

    /** Prints a value (records, maps and lists serialize as JSON objects and arrays). */
    static void print(PrintWriter out, Object value) {
        out.println(MAPPER.writeValueAsString(value));
        out.flush();
    }
}
