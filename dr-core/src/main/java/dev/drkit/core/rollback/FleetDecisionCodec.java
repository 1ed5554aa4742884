package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.json.JsonMappers;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import tools.jackson.core.JacksonException;

/** Writes and reads the fleet decision log kept in a guard's shared state, as compact JSON. */
final class FleetDecisionCodec {
    private FleetDecisionCodec() {
    }

    /** One decision as stored. */
    record Entry(long sequence, String kind, String version, String member, String actor, String reason, String at) {
    }

    /** The stored value: the decisions, oldest first. */
    record Log(List<Entry> decisions) {
    }

    static String encode(List<FleetDecision> decisions) {
        List<Entry> entries = decisions.stream().map(d -> new Entry(d.sequence(), d.kind().name(), d.version(),
                d.member(), d.actor(), d.reason(), d.at().toString())).toList();
        return JsonMappers.compact().writeValueAsString(new Log(entries));
    }

    static List<FleetDecision> decode(String value) {
        try {
            Log log = JsonMappers.compact().readValue(value, Log.class);
            if (log == null || log.decisions() == null) {
                return List.of();
            }
            return log.decisions().stream().map(e -> new FleetDecision(e.sequence(),
                    FleetDecision.Kind.valueOf(e.kind()), e.version(), e.member(), e.actor(), e.reason(),
                    Instant.parse(e.at()))).toList();
        } catch (JacksonException | IllegalArgumentException | NullPointerException | DateTimeException e) {
            throw new DrException(ErrorCode.INTEGRITY, "fleet decisions are unreadable: " + e.getMessage(), null, e);
        }
    }
}
