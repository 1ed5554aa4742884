package dev.drkit.core.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonMappersTest {
    static final Map<String, Object> TREE = new LinkedHashMap<>(Map.of("id", "s1"));

    static {
        TREE.put("tags", List.of("nightly", "zé \"quoted\"\n"));
    }

    @Test
    void theCompactMapperWritesOneLineAndTheIndentedOneAFieldPerLine() {
        String compact = JsonMappers.compact().writeValueAsString(TREE);
        String indented = JsonMappers.indented().writeValueAsString(TREE);
        assertThat(compact).doesNotContain("\n").startsWith("{\"id\":\"s1\",");
        assertThat(indented.lines()).hasSize(4);
        assertThat(indented.lines().map(String::strip)).contains("\"id\" : \"s1\",");
    }

    @Test
    void bothReadBackWhatTheyWroteAndAreShared() {
        for (var mapper : List.of(JsonMappers.compact(), JsonMappers.indented())) {
            assertThat(mapper.readValue(mapper.writeValueAsString(TREE), Map.class)).isEqualTo(TREE);
        }
        assertThat(JsonMappers.compact()).isSameAs(JsonMappers.compact());
        assertThat(JsonMappers.indented()).isSameAs(JsonMappers.indented()).isNotSameAs(JsonMappers.compact());
    }
}
