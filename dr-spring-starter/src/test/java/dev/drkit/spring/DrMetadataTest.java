package dev.drkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drkit.core.rollback.GuardConfig;
import dev.drkit.core.rollback.RollbackConfig;
import dev.drkit.core.rollback.RollbackConfigJson;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The configuration metadata the build writes (the processor's, merged with the additional
 * file) documents every property the starter binds: each field of the {@link DrProperties}
 * records and each setting of the core's guard model under {@code dr.guards.*}.
 */
class DrMetadataTest {

    private static Set<String> documented() throws Exception {
        try (InputStream in = DrMetadataTest.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("the build's configuration metadata").isNotNull();
            Set<String> names = new TreeSet<>();
            for (JsonNode p : JsonMapper.builder().build().readTree(in).get("properties")) {
                assertThat(p.path("description").asString("")).as("description of " + p.get("name")).isNotBlank();
                names.add(p.get("name").asString());
            }
            return names;
        }
    }

    private static void recordProperties(Class<?> type, String prefix, Set<String> out) {
        for (RecordComponent c : type.getRecordComponents()) {
            String name = prefix + PropertyOrigins.kebab(c.getName());
            if (c.getType().isRecord()) {
                recordProperties(c.getType(), name + ".", out);
            } else if (Map.class.isAssignableFrom(c.getType())) {
                Object value = ((ParameterizedType) c.getGenericType()).getActualTypeArguments()[1];
                if (value instanceof Class<?> v && v.isRecord()) {
                    recordProperties(v, name + ".*.", out);
                } else {
                    out.add(name);
                }
            } else {
                out.add(name);
            }
        }
    }

    /** Every setting the core's guard model has, spelt as a property; list elements as {@code [*]}. */
    private static void guardSettings(JsonNode node, String prefix, Set<String> out) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String name = prefix + PropertyOrigins.kebab(e.getKey());
            JsonNode v = e.getValue();
            if (v.isObject()) {
                guardSettings(v, name + ".", out);
            } else {
                out.add(name);
                if (v.isArray() && !v.isEmpty() && v.get(0).isObject()) {
                    guardSettings(v.get(0), name + "[*].", out);
                }
            }
        }
    }

    @Test
    void everyBoundPropertyIsDocumented() throws Exception {
        Set<String> bound = new TreeSet<>();
        recordProperties(DrProperties.class, "dr.", bound);
        JsonNode guard = JsonMapper.builder().build()
                .readTree(RollbackConfigJson.write(new RollbackConfig(Map.of("g", GuardConfig.DEFAULT))))
                .get("guards").get("g");
        guardSettings(guard, "dr.guards.*.", bound);
        bound.addAll(List.of("dr.guards.*.probes", "dr.guards.*.plan.min-calls", "dr.guards.*.plan.min-duration"));

        assertThat(bound).contains("dr.repository.init-if-missing", "dr.plans.*.rto",
                "dr.guards.*.circuit-breaker.failure-rate-threshold", "dr.guards.*.plan.steps[*].weight",
                "dr.guards.*.shadow", "dr.guards.*.revert-window", "dr.guards.*.gradual-batches");
        assertThat(documented()).containsAll(bound);
    }
}
