package dev.drkit.core.rollback;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The guard model of a service: each named guard's {@link GuardConfig}. This is the tree that
 * {@code rollback_config.json} and the Spring starter's {@code dr.guards.*} properties bind to
 * (see {@link RollbackConfigJson#fromProperties}).
 *
 * @param guards the guards by name, in file order
 */
public record RollbackConfig(Map<String, GuardConfig> guards) {
    /** Checks the names and copies the map, keeping its order. */
    public RollbackConfig {
        Objects.requireNonNull(guards, "guards");
        Map<String, GuardConfig> copy = new LinkedHashMap<>();
        guards.forEach((name, config) -> {
            if (name == null || name.isBlank()) {
                throw DrException.invalidArgument("guards", "names must not be blank", "'" + name + "'");
            }
            copy.put(name, Objects.requireNonNull(config, "guards." + name));
        });
        guards = Collections.unmodifiableMap(copy);
    }

    /**
     * Returns one guard's settings.
     *
     * @param name the guard's name
     * @return its settings
     * @throws DrException {@code NOT_FOUND} naming the guards that exist
     */
    public GuardConfig guard(String name) {
        GuardConfig config = guards.get(name);
        if (config == null) {
            throw new DrException(ErrorCode.NOT_FOUND, "no guard named '" + name + "' (guards: "
                    + String.join(", ", guards.keySet()) + ")", "guard=" + name);
        }
        return config;
    }
}
