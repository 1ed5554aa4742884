package dev.drkit.test.server;

import java.util.concurrent.Callable;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests an {@link ExternalServer} of one type: one for the whole test run, started on
 * first use and closed when the run ends. A store module names its server once:
 *
 * <pre>{@code
 * public final class MyServerExtension extends ExternalServerExtension<MyServer> {
 *     public MyServerExtension() { super(MyServer.class, MyServer::start); }
 * }
 * }</pre>
 *
 * <p>and its tests take a parameter of that type under {@code @ExtendWith(MyServerExtension.class)}.
 *
 * @param <S> the server
 */
public abstract class ExternalServerExtension<S extends ExternalServer> implements ParameterResolver {
    private final Class<S> type;
    private final Callable<S> start;

    /**
     * Names the server and how to start it.
     *
     * @param type the server's class, which test parameters declare
     * @param start starts a server and returns it once it answers
     */
    protected ExternalServerExtension(Class<S> type, Callable<S> start) {
        this.type = type;
        this.start = start;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == type;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return server(context);
    }

    /**
     * Returns the run's server, starting it if needed.
     *
     * @param context any extension context of the run
     * @return the server
     * @throws IllegalStateException when it cannot start
     */
    public S server(ExtensionContext context) {
        ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.create(getClass()));
        return store.computeIfAbsent(type, t -> {
            try {
                return start.call();
            } catch (Exception e) {
                throw new IllegalStateException("Could not start " + type.getSimpleName(), e);
            }
        }, type);
    }
}
