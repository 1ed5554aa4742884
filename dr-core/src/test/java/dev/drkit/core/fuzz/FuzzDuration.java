package dev.drkit.core.fuzz;

import java.util.Locale;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Lets {@code -Ddr.fuzz.duration=20s} (or {@code 90}, {@code 5m}, {@code 1h}) set how long
 * {@code JAZZER_FUZZ=1} fuzzes a target, over the {@code @FuzzTest(maxDuration)} default
 * ({@link ParserInvariant#FUZZ_DURATION}). Jazzer 0.24.0 has no property for the duration: its
 * JUnit integration turns {@code maxDuration} into libFuzzer's {@code -max_total_time} and then
 * appends the libFuzzer arguments it reads from the configuration parameters
 * {@code jazzer.internal.arg.0..n} (the first being the program name), and libFuzzer keeps the
 * last value of a flag given twice. This listener sets those two parameters, as system
 * properties, before any test runs; without the property it does nothing.
 */
public final class FuzzDuration implements LauncherSessionListener {
    /** The system property that holds the duration. */
    public static final String PROPERTY = "dr.fuzz.duration";

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        String value = System.getProperty(PROPERTY);
        if (value != null && !value.isBlank()) {
            System.setProperty("jazzer.internal.arg.0", "fuzz");
            System.setProperty("jazzer.internal.arg.1", "-max_total_time=" + seconds(value));
        }
    }

    /**
     * Reads a duration as seconds.
     *
     * @param value digits with an optional unit: {@code s}, {@code m} or {@code h}
     * @return the seconds, at least 1
     * @throws IllegalArgumentException naming the property when the value is not a duration
     */
    static long seconds(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (v.endsWith("s") || v.endsWith("m") || v.endsWith("h")) {
            unit = switch (v.charAt(v.length() - 1)) {
                case 'm' -> 60;
                case 'h' -> 3600;
                default -> 1;
            };
            v = v.substring(0, v.length() - 1);
        }
        if (!v.matches("[0-9]{1,9}") || Long.parseLong(v) == 0) {
            throw new IllegalArgumentException(PROPERTY + " must be a positive number of seconds with an optional "
                    + "unit s, m or h (such as 20s or 5m), but was '" + value + "'");
        }
        return Long.parseLong(v) * unit;
    }
}
