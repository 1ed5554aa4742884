package dev.drkit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.PropertiesPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * The README's property blocks, copied as they stand: no value carries a comment, every
 * {@code dr.*} name exists and every value passes the start-up checks.
 */
class ReadmePropertiesTest {
    @TempDir
    Path dir;

    private static List<String> blocks() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Matcher m = Pattern.compile("```properties\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void everyPropertiesBlockIsAcceptedAsWritten() throws Exception {
        List<String> blocks = blocks();
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(2);
        assertThat(String.join("\n", blocks)).contains("dr.repository.init-if-missing=true");
        for (String block : blocks) {
            Properties p = new Properties();
            p.load(new StringReader(block));
            for (String key : p.stringPropertyNames()) {
                assertThat(p.getProperty(key)).as(key).doesNotContain("#").doesNotEndWith(" ");
            }
            // the files the example names on the reader's machine
            if (p.containsKey("dr.repository.password-file")) {
                Path secret = Files.writeString(dir.resolve("dr-password"), "secret\n");
                p.setProperty("dr.repository.password-file", secret.toString());
            }
            if (p.containsKey("dr.replication.password-file")) {
                Path secret = Files.writeString(dir.resolve("dr-offsite-password"), "offsite\n");
                p.setProperty("dr.replication.password-file", secret.toString());
            }
            if (p.containsKey("dr.audit.key-file")) {
                Path key = Files.writeString(dir.resolve("dr-audit-key"), "audit-key");
                p.setProperty("dr.audit.key-file", key.toString());
            }
            StandardEnvironment env = new StandardEnvironment();
            env.getPropertySources().addFirst(new PropertiesPropertySource("README.md", p));
            DrProperties bound = Binder.get(env).bindOrCreate(DrProperties.PREFIX, DrProperties.class);
            DrSettings settings = new DrSettings(bound, env);
            if (p.containsKey("dr.guards.pricing.plan.steps")) {
                assertThat(settings.guard("pricing").plan().size()).isEqualTo(4);
            }
        }
    }
}
