package dev.drkit.samples.readme;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code dr.*} keys the starter knows, read from the configuration metadata on the class
 * path ({@code META-INF/spring-configuration-metadata.json} and
 * {@code additional-spring-configuration-metadata.json}), as an IDE reads them. A key under a
 * map property ({@code dr.guards.pricing.steps}) is known when the rest after the map's key
 * ({@code steps}) names a property of the map's value type, found from its setters, or when the
 * metadata documents it with a wildcard for the map's key ({@code dr.guards.*.judge.alpha}).
 */
final class StarterProperties {
    private static final Pattern MAP_TYPE = Pattern.compile("java\\.util\\.Map<java\\.lang\\.String,\\s*([\\w.$]+)>");

    /** Every property's name and declared type. */
    private final Map<String, String> types = new HashMap<>();

    StarterProperties() {
        ObjectMapper json = JsonMapper.builder().build();
        for (String resource : List.of("META-INF/spring-configuration-metadata.json",
                "META-INF/additional-spring-configuration-metadata.json")) {
            try {
                Enumeration<URL> urls = getClass().getClassLoader().getResources(resource);
                while (urls.hasMoreElements()) {
                    try (InputStream in = urls.nextElement().openStream()) {
                        for (JsonNode p : json.readTree(in).path("properties")) {
                            types.put(p.path("name").asString(), p.path("type").asString(""));
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Returns whether any {@code dr.} property was found: the metadata is on the class path. @return whether */
    boolean found() {
        return types.keySet().stream().anyMatch(k -> k.startsWith("dr."));
    }

    /**
     * Returns why a key is not a known property, or empty when it is known.
     *
     * @param key a key such as {@code dr.guards.pricing.judge.alpha}
     * @return the reason
     */
    Optional<String> unknown(String key) {
        if (types.containsKey(key)) {
            return Optional.empty();
        }
        String[] segments = key.split("\\.");
        for (int i = 2; i < segments.length - 1; i++) {
            String[] wildcard = segments.clone();
            wildcard[i] = "*";
            if (types.containsKey(String.join(".", wildcard))) {
                return Optional.empty(); // documented as dr.guards.*.judge.alpha and the like
            }
        }
        for (Map.Entry<String, String> e : types.entrySet()) {
            Matcher map = MAP_TYPE.matcher(e.getValue());
            if (!map.matches() || !key.startsWith(e.getKey() + ".")) {
                continue;
            }
            String rest = key.substring(e.getKey().length() + 1);
            int dot = rest.indexOf('.');
            if (dot < 0) {
                return Optional.of(key + " names an entry of the map " + e.getKey() + " but no property of it");
            }
            Class<?> value = load(map.group(1));
            if (value == null || !value.getName().startsWith("dev.drkit.")) {
                return Optional.empty(); // a map of plain values or of a type we cannot see: any key
            }
            String path = rest.substring(dot + 1);
            return hasPath(value, path) ? Optional.empty()
                    : Optional.of(key + ": " + value.getSimpleName() + " (the values of " + e.getKey()
                            + ") has no property " + path);
        }
        return Optional.of(key + " is not in the starter's configuration metadata");
    }

    private static boolean hasPath(Class<?> type, String path) {
        int dot = path.indexOf('.');
        String head = dot < 0 ? path : path.substring(0, dot);
        for (Method m : type.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
                continue;
            }
            String name = m.getName();
            String property = name.startsWith("set") && m.getParameterCount() == 1 ? name.substring(3)
                    : name.startsWith("get") && m.getParameterCount() == 0 ? name.substring(3) : null;
            if (property == null || !kebab(property).equals(head)) {
                continue;
            }
            if (dot < 0) {
                return true;
            }
            Class<?> nested = name.startsWith("get") ? m.getReturnType() : m.getParameterTypes()[0];
            if (nested.getName().startsWith("dev.drkit.") && hasPath(nested, path.substring(dot + 1))) {
                return true;
            }
        }
        return false;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static Class<?> load(String binaryName) {
        try {
            return Class.forName(binaryName, false, StarterProperties.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return null;
        }
    }
}
