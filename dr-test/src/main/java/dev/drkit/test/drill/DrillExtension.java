package dev.drkit.test.drill;

import dev.drkit.core.audit.AuditVerification;
import dev.drkit.testkit.ManualClock;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit Jupiter extension that injects a fresh {@link Drill} (or its {@link ManualClock}) into
 * each test and, after the test, closes it and fails the test if its audit log does not verify.
 *
 * <pre>{@code
 * @ExtendWith(DrillExtension.class)
 * class FailoverDrillTest {
 *     @Test
 *     void failoverMeetsItsRto(Drill drill) { ... }
 * }
 * }</pre>
 */
public final class DrillExtension implements ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(DrillExtension.class);

    /** Creates the extension. */
    public DrillExtension() {
    }

    private static Drill drill(ExtensionContext context) {
        return context.getStore(NS).getOrComputeIfAbsent("drill", k -> new Drill(), Drill.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        Class<?> t = p.getParameter().getType();
        return t == Drill.class || t == ManualClock.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        Drill d = drill(e);
        return p.getParameter().getType() == ManualClock.class ? d.clock() : d;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Drill d = context.getStore(NS).remove("drill", Drill.class);
        if (d == null) {
            return;
        }
        d.close();
        AuditVerification v = d.audit().verify();
        if (!v.intact()) {
            throw new AssertionError("the drill's audit log does not verify: record " + v.firstBadSeq() + ": "
                    + v.problem());
        }
    }
}
