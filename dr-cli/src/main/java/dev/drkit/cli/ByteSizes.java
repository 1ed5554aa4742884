package dev.drkit.cli;

import java.util.Locale;

/** Byte counts as the commands print them: {@code 16 B}, {@code 1.5 KiB}, {@code 12.0 MiB}, {@code 3.2 GiB}. */
final class ByteSizes {
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private ByteSizes() {
    }

    /**
     * Formats a byte count: whole bytes below 1 KiB, else one decimal of the largest binary unit
     * that keeps the number at 1 or more, with a point whatever the locale.
     *
     * @param bytes the count, 0 or more
     * @return the text
     */
    static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes / 1024.0;
        int unit = 0;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        String text = String.format(Locale.ROOT, "%.1f", value);
        if (text.equals("1024.0") && unit < UNITS.length - 1) { // 1023.95 KiB and up round to the next unit
            text = "1.0";
            unit++;
        }
        return text + " " + UNITS[unit];
    }
}
