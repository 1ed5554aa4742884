package dev.drkit.cli;

import dev.drkit.core.config.DurationText;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.TypeConversionException;

/**
 * The converters of every option and parameter type the commands use, registered once on the
 * root command line. A value they refuse makes picocli print
 * {@code Invalid value for option '--wait': expected a duration such as 30s, 5m, 1h30m, 250ms,
 * 2d or ISO-8601 PT30S, but was 'x'}: the option, the accepted form and the value, never a Java type name.
 */
final class OptionConverters {
    private static final Pattern WHOLE = Pattern.compile("[+-]?\\d+");

    private OptionConverters() {
    }

    /**
     * Registers the converters on a command line and on every subcommand it holds now.
     *
     * @param cl the root command line, with its subcommands added
     * @param clock says when now is, for instants written as a time ago; read at each conversion
     */
    static void register(CommandLine cl, Supplier<Clock> clock) {
        cl.registerConverter(Duration.class, new Converter<>(OptionConverters::duration));
        cl.registerConverter(Instant.class, new Converter<>(text -> instant(text, clock.get())));
        cl.registerConverter(PointInTime.class, new Converter<>(text -> pointInTime(text, clock.get())));
        cl.registerConverter(Integer.class, new Converter<>(OptionConverters::integer));
        cl.registerConverter(int.class, new Converter<>(OptionConverters::integer));
        cl.registerConverter(Long.class, new Converter<>(OptionConverters::longInteger));
        cl.registerConverter(long.class, new Converter<>(OptionConverters::longInteger));
        cl.registerConverter(Double.class, new Converter<>(OptionConverters::number));
        cl.registerConverter(double.class, new Converter<>(OptionConverters::number));
        for (Class<?> type : enumTypes(cl.getCommandSpec(), new LinkedHashSet<>())) {
            registerEnum(cl, type);
        }
    }

    /**
     * A converter around a function. Not a lambda of picocli's interface: picocli's class files
     * are of Java 5, and a lambda implementing one of its interfaces crashes Java 17's JVM when the
     * launcher records its classes at exit (JDK-8274944's case, {@code -XX:ArchiveClassesAtExit}).
     */
    private static final class Converter<T> implements ITypeConverter<T> {
        private final Function<String, T> convert;

        Converter(Function<String, T> convert) {
            this.convert = convert;
        }

        @Override
        public T convert(String text) {
            return convert.apply(text);
        }
    }

    static Duration duration(String text) {
        Duration d = DurationText.parse(text).orElseThrow(
                () -> refused("a duration such as " + DurationText.FORMS, text));
        if (d.isNegative()) {
            throw refused("a duration of 0 or more, such as " + DurationText.FORMS, text);
        }
        return d;
    }

    static Instant instant(String text, Clock clock) {
        try {
            return InstantText.parse(text, clock);
        } catch (InstantText.Refused e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    static PointInTime pointInTime(String text, Clock clock) {
        if (text.trim().equals("latest")) {
            return PointInTime.LATEST;
        }
        try {
            return new PointInTime(InstantText.parse(text, clock));
        } catch (InstantText.Refused e) {
            throw new TypeConversionException(e.expected(PointInTime.FORMS));
        }
    }

    static Integer integer(String text) {
        return whole(text, Integer.MIN_VALUE, Integer.MAX_VALUE).intValue();
    }

    static Long longInteger(String text) {
        return whole(text, Long.MIN_VALUE, Long.MAX_VALUE).longValue();
    }

    /** A whole number from {@code min} to {@code max}, or a refusal saying which bound it passed. */
    private static BigInteger whole(String text, long min, long max) {
        String t = text.trim();
        if (!WHOLE.matcher(t).matches()) {
            throw refused("a whole number such as 10", text);
        }
        BigInteger value = new BigInteger(t.startsWith("+") ? t.substring(1) : t);
        if (value.compareTo(BigInteger.valueOf(max)) > 0) {
            throw refused("a whole number of at most " + max, text);
        }
        if (value.compareTo(BigInteger.valueOf(min)) < 0) {
            throw refused("a whole number of at least " + min, text);
        }
        return value;
    }

    static Double number(String text) {
        double value;
        try {
            value = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw refused("a number such as 0.05 or 3", text);
        }
        if (!Double.isFinite(value)) {
            throw refused("a finite number such as 0.05 or 3", text);
        }
        return value;
    }

    private static <E extends Enum<E>> void registerEnum(CommandLine cl, Class<?> type) {
        @SuppressWarnings("unchecked")
        Class<E> enumType = (Class<E>) type;
        E[] constants = enumType.getEnumConstants();
        String names = Arrays.stream(constants).map(Enum::name).collect(Collectors.joining(", "));
        cl.registerConverter(enumType, new Converter<E>(text -> {
            for (E c : constants) {
                if (c.name().equalsIgnoreCase(text.trim())) {
                    return c;
                }
            }
            throw refused("one of " + names, text);
        }));
    }

    /** Collects the enum types of the options and parameters of a command and its subcommands. */
    private static Set<Class<?>> enumTypes(CommandSpec spec, Set<Class<?>> found) {
        for (ArgSpec arg : spec.args()) {
            if (arg.type().isEnum()) {
                found.add(arg.type());
            }
            for (Class<?> aux : arg.auxiliaryTypes()) {
                if (aux.isEnum()) {
                    found.add(aux);
                }
            }
        }
        for (CommandLine sub : spec.subcommands().values()) {
            enumTypes(sub.getCommandSpec(), found);
        }
        return found;
    }

    private static TypeConversionException refused(String expected, String text) {
        return new TypeConversionException("expected " + expected + ", but was '" + text + "'");
    }
}
