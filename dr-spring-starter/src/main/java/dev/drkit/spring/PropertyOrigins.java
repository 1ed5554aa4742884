package dev.drkit.spring;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.origin.Origin;
import org.springframework.core.env.Environment;

/**
 * Names a property in a complaint the way the user wrote it down: in kebab-case, with where it
 * was set (file and line) when Spring knows it, and turns the core's complaints about a field
 * into complaints about the property that set it.
 */
final class PropertyOrigins {
    private final List<ConfigurationPropertySource> sources = new ArrayList<>();

    PropertyOrigins(@Nullable Environment environment) {
        if (environment != null) {
            ConfigurationPropertySources.get(environment).forEach(sources::add);
        }
    }

    /** The property sources, highest priority first. */
    List<ConfigurationPropertySource> sources() {
        return sources;
    }

    /**
     * Returns where a property (or, for an element of a list, the list) was set.
     *
     * @param property the property's name
     * @return the origin, such as {@code class path resource [application.properties] - 3:1}, or null
     */
    @Nullable Origin origin(String property) {
        ConfigurationPropertyName name = ConfigurationPropertyName.adapt(property, '.');
        while (!name.isEmpty() && name.getNumberOfElements() > 1) {
            for (ConfigurationPropertySource source : sources) {
                ConfigurationProperty p = source.getConfigurationProperty(name);
                if (p != null) {
                    return p.getOrigin();
                }
            }
            name = name.getParent();
        }
        return null;
    }

    /**
     * Returns a property's value as it was written down, before conversion.
     *
     * @param property the property's name
     * @return the value, such as {@code 15} for an interval Spring read as 15 ms, or null when not known
     */
    @Nullable Object rawValue(String property) {
        ConfigurationPropertyName name = ConfigurationPropertyName.adapt(property, '.');
        for (ConfigurationPropertySource source : sources) {
            ConfigurationProperty p = source.getConfigurationProperty(name);
            if (p != null) {
                return p.getValue();
            }
        }
        return null;
    }

    /**
     * Returns a property's name followed by its origin in parentheses, when known.
     *
     * @param property the property's name
     * @return the text for a message
     */
    String describe(String property) {
        Origin origin = origin(property);
        return origin == null ? property : property + " (" + origin + ")";
    }

    /**
     * Returns where a property was set, for the end of a message.
     *
     * @param property the property's name
     * @return {@code " (origin)"}, or an empty string when not known
     */
    String at(String property) {
        Origin origin = origin(property);
        return origin == null ? "" : " (" + origin + ")";
    }

    /**
     * Returns a start-up failure that names a property, its origin and the value.
     *
     * @param property the property's name
     * @param problem what is wrong with it
     * @param value the value, or null to leave it out (secrets)
     * @return the exception
     */
    DrException invalid(String property, String problem, @Nullable Object value) {
        return new DrException(ErrorCode.INVALID_CONFIG, property + " " + problem
                + (value == null ? "" : ", but was " + value) + at(property), property);
    }

    /**
     * Builds a core value, turning its complaint about a field into one about the property under
     * {@code prefix} that set it, in kebab-case and with its origin.
     *
     * @param prefix the properties' prefix, such as {@code dr.repository.kdf}
     * @param build builds the core value
     * @param <T> the value's type
     * @return the value
     * @throws DrException {@code INVALID_CONFIG} naming the property
     */
    <T> T check(String prefix, Supplier<T> build) {
        try {
            return build.get();
        } catch (DrException e) {
            if (e.code() != ErrorCode.INVALID_ARGUMENT && e.code() != ErrorCode.INVALID_CONFIG) {
                throw e;
            }
            String message = e.getMessage();
            String input = e.input();
            String field = input == null ? null : input.indexOf('=') < 0 ? input : input.substring(0, input.indexOf('='));
            if (field != null && field.startsWith(prefix + ".")) {
                // the core named the property already (the guards' settings)
                throw new DrException(ErrorCode.INVALID_CONFIG, message + at(field), field);
            }
            if (field != null && message.startsWith(field)) {
                String property = prefix + "." + kebab(field);
                throw new DrException(ErrorCode.INVALID_CONFIG, property + message.substring(field.length())
                        + at(property), property);
            }
            throw new DrException(ErrorCode.INVALID_CONFIG, prefix + ": " + message + at(prefix), prefix);
        }
    }

    /** Turns {@code memoryKiB} into {@code memory-kib} and {@code keepLast} into {@code keep-last}. */
    static String kebab(String field) {
        return field.replace("KiB", "Kib").replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
