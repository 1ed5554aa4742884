package dev.drkit.core.report;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.json.JsonMappers;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The report package's JSON reading and writing. */
final class Json {
    static final ObjectMapper MAPPER = JsonMappers.indented();

    private Json() {
    }

    static String write(Map<String, Object> tree) {
        return MAPPER.writeValueAsString(tree) + "\n";
    }

    static JsonNode read(String text, String what) {
        try {
            return MAPPER.readTree(text);
        } catch (JacksonException e) {
            throw new DrException(ErrorCode.INVALID_CONFIG, what + " is not valid JSON: " + e.getOriginalMessage(),
                    what, e);
        }
    }
}
