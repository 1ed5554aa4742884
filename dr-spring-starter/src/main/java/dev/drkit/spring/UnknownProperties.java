package dev.drkit.spring;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import dev.drkit.core.config.NearestName;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** Finds {@code dr.*} properties that nothing binds, such as {@code dr.backup.schedule.intervall}. */
final class UnknownProperties {
    private UnknownProperties() {
    }

    /**
     * Throws for the first {@code dr.*} property that no record component of {@link
     * DrProperties} binds. The guards' settings are left to the core, which knows them; the
     * system environment is left alone, since other tools read {@code DR_*} variables.
     *
     * @param origins the application's property sources
     * @throws DrException {@code INVALID_CONFIG} naming the property, the nearest known one and its origin
     */
    static void reject(PropertyOrigins origins) {
        List<List<String>> known = new ArrayList<>();
        collect(DrProperties.class, new ArrayList<>(List.of("dr")), known);
        for (ConfigurationPropertySource source : origins.sources()) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)
                    || source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource) {
                continue;
            }
            iterable.stream().forEach(name -> {
                if (name.getNumberOfElements() < 2 || !name.getElement(0, ConfigurationPropertyName.Form.UNIFORM)
                        .equals("dr") || isGuard(name)) {
                    return;
                }
                if (known.stream().noneMatch(path -> matches(path, name))) {
                    TreeSet<String> names = new TreeSet<>();
                    known.forEach(path -> names.add(spell(path, name)));
                    String written = name.toString();
                    String nearest = NearestName.of(written, names);
                    throw new DrException(ErrorCode.INVALID_CONFIG, written + " is not a known property"
                            + (nearest == null ? "" : "; did you mean " + nearest + "?") + origins.at(written), written);
                }
            });
        }
    }

    private static boolean isGuard(ConfigurationPropertyName name) {
        return name.getElement(1, ConfigurationPropertyName.Form.UNIFORM).equals("guards");
    }

    /** Does a known path (with {@code *} for a map key, {@code []} for a list) match a name? */
    private static boolean matches(List<String> path, ConfigurationPropertyName name) {
        return name.getNumberOfElements() == path.size() && prefixMatches(path, name, path.size());
    }

    private static boolean prefixMatches(List<String> path, ConfigurationPropertyName name, int count) {
        for (int i = 0; i < count; i++) {
            String p = path.get(i);
            if (p.equals("*")) {
                continue;
            }
            if (p.equals("[]")) {
                if (!name.isNumericIndex(i)) {
                    return false;
                }
                continue;
            }
            if (!name.getElement(i, ConfigurationPropertyName.Form.UNIFORM).equals(p.replace("-", ""))) {
                return false;
            }
        }
        return true;
    }

    /** A known path spelt out with the map keys of the name it is compared with. */
    private static String spell(List<String> path, ConfigurationPropertyName name) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < path.size(); i++) {
            String p = path.get(i);
            if (p.equals("[]")) {
                continue;
            }
            if (b.length() > 0) {
                b.append('.');
            }
            b.append(p.equals("*") && i < name.getNumberOfElements()
                    ? name.getElement(i, ConfigurationPropertyName.Form.ORIGINAL) : p);
        }
        return b.toString();
    }

    /** The property paths of a record, in kebab-case: {@code *} stands for a map key, {@code []} for a list index. */
    private static void collect(Class<?> type, List<String> prefix, List<List<String>> out) {
        for (RecordComponent c : type.getRecordComponents()) {
            List<String> path = new ArrayList<>(prefix);
            path.add(PropertyOrigins.kebab(c.getName()));
            Class<?> t = c.getType();
            if (t.isRecord()) {
                collect(t, path, out);
            } else if (Map.class.isAssignableFrom(t)) {
                path.add("*");
                Type value = ((ParameterizedType) c.getGenericType()).getActualTypeArguments()[1];
                if (value instanceof Class<?> v && v.isRecord()) {
                    collect(v, path, out);
                } else {
                    out.add(path);
                }
            } else if (List.class.isAssignableFrom(t)) {
                out.add(new ArrayList<>(path));
                path.add("[]");
                out.add(path);
            } else {
                out.add(path);
            }
        }
    }

}
