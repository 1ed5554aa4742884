package dev.drkit.spring.actuate;

import dev.drkit.spring.DrProperties;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;

/**
 * Masks DR Kit's secrets in {@code /actuator/env} and {@code /actuator/configprops}, even
 * when an application chooses to show property values: the repository's and the secondary's
 * passwords and the webhook token under every spelling relaxed binding accepts, and any other
 * property (such as the environment variable a placeholder reads) whose value is one of those
 * secrets.
 */
public final class DrSecretsSanitizer implements SanitizingFunction {
    private final DrProperties properties;

    /**
     * Creates the sanitizer.
     *
     * @param properties the bound properties, whose secret values are masked wherever they appear
     */
    public DrSecretsSanitizer(DrProperties properties) {
        this.properties = properties;
    }

    @Override
    public SanitizableData apply(SanitizableData data) {
        if (data.getValue() == null) {
            return data;
        }
        String key = data.getLowerCaseKey().replace('_', '.').replace("-", "").toLowerCase(Locale.ROOT);
        if (key.startsWith("dr.") && (key.endsWith("password") || key.endsWith("token") || key.endsWith("secret"))) {
            return data.withSanitizedValue();
        }
        String value = String.valueOf(data.getValue());
        boolean isSecret = Stream.of(properties.repository().password(), properties.alertmanager().token(),
                        properties.postgres().password(), properties.replication().password())
                .filter(Objects::nonNull)
                .anyMatch(secret -> !secret.isEmpty() && value.equals(secret));
        return isSecret ? data.withSanitizedValue() : data;
    }
}
