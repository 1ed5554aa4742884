package dev.drkit.storage.azure;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests an {@link AzuriteServer}: one for the whole test run, installed and started on
 * first use and stopped when the run ends. Use with {@code @ExtendWith(AzuriteExtension.class)}
 * and a parameter of type {@link AzuriteServer}.
 */
public final class AzuriteExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(AzuriteExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == AzuriteServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).computeIfAbsent(AzuriteServer.class, type -> {
            try {
                return AzuriteServer.start();
            } catch (Exception e) {
                throw new IllegalStateException("Could not start Azurite", e);
            }
        }, AzuriteServer.class);
    }
}
