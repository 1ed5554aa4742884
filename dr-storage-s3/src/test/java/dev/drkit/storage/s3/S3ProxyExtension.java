package dev.drkit.storage.s3;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests an {@link S3ProxyServer}: one for the whole test run, started on first use and
 * stopped when the run ends. Use with {@code @ExtendWith(S3ProxyExtension.class)} and a
 * parameter of type {@link S3ProxyServer}.
 */
public final class S3ProxyExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(S3ProxyExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == S3ProxyServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return server(context);
    }

    /**
     * Returns the shared server, starting it if needed.
     *
     * @param context any extension context of the run
     * @return the server
     */
    public static S3ProxyServer server(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).computeIfAbsent(S3ProxyServer.class, type -> {
            try {
                return S3ProxyServer.start();
            } catch (Exception e) {
                throw new IllegalStateException("Could not start S3Proxy", e);
            }
        }, S3ProxyServer.class);
    }
}
