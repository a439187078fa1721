package com.channelassignment.worker.cli;

import com.channelassignment.worker.contract.WireFormat;
import com.channelassignment.worker.contract.registry.SubjectNameStrategy;
import com.channelassignment.worker.kafka.avro.ChannelType;
import com.channelassignment.worker.kafka.avro.Operation;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * How the client reads a flag's value, by type for every command ({@link #registerOn}) and by name where a number
 * has bounds. Picocli puts the flag's name in front of each message: {@code Invalid value for option '--max': ...}.
 */
final class CliConverters {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private CliConverters() {
    }

    static CommandLine registerOn(CommandLine commandLine) {
        return commandLine
                // A blank value is always a shell variable that was not set.
                .registerConverter(String.class, value -> {
                    if (value.isBlank()) {
                        throw new TypeConversionException("must not be blank");
                    }
                    return value;
                })
                .registerConverter(Duration.class, CliConverters::duration)
                .registerConverter(Instant.class, CliConverters::instant)
                .registerConverter(Operation.class, value -> choice(Operation.class, Enum::name, value))
                // MAILBOX, mailbox, PHONE_NUMBER, phone-number
                .registerConverter(ChannelType.class, value -> choice(ChannelType.class, Enum::name,
                        value.replace('-', '_')))
                .registerConverter(WireFormat.class, value -> choice(WireFormat.class, WireFormat::settingValue,
                        value))
                .registerConverter(SubjectNameStrategy.class, value -> choice(SubjectNameStrategy.class,
                        SubjectNameStrategy::settingValue, value));
    }

    /** {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}; never zero. */
    static Duration duration(String value) {
        Matcher matcher = DURATION.matcher(value);
        if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0) {
            throw new TypeConversionException("must be a positive duration like 500ms, 30s, 2m or 1h, not '" + value
                    + "'");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> throw new IllegalStateException("the pattern allows no unit " + matcher.group(2));
        };
    }

    private static Instant instant(String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new TypeConversionException("must be an ISO-8601 instant like 2026-11-27T02:00:00Z, not '" + value
                    + "'");
        }
    }

    /** The constant whose name (as {@code name} spells it) is the value, ignoring case. */
    private static <E extends Enum<E>> E choice(Class<E> type, Function<E, String> name, String value) {
        for (E constant : type.getEnumConstants()) {
            if (name.apply(constant).equalsIgnoreCase(value)) {
                return constant;
            }
        }
        throw new TypeConversionException("must be %s, not '%s'".formatted(Arrays.stream(type.getEnumConstants())
                .map(name).collect(Collectors.joining(" or ")), value));
    }

    /** A count that must be at least 1: {@code --max}. */
    static final class Positive implements ITypeConverter<Integer> {

        @Override
        public Integer convert(String value) {
            Long number = whole(value);
            if (number == null || number < 1 || number > Integer.MAX_VALUE) {
                throw new TypeConversionException("must be a positive whole number, not '" + value + "'");
            }
            return number.intValue();
        }
    }

    /** A partition or a count that may be 0. */
    static final class NonNegative implements ITypeConverter<Integer> {

        @Override
        public Integer convert(String value) {
            Long number = whole(value);
            if (number == null || number < 0 || number > Integer.MAX_VALUE) {
                throw new TypeConversionException("must be a whole number, 0 or more, not '" + value + "'");
            }
            return number.intValue();
        }
    }

    /** An offset: 0 or more. */
    static final class Offset implements ITypeConverter<Long> {

        @Override
        public Long convert(String value) {
            Long number = whole(value);
            if (number == null || number < 0) {
                throw new TypeConversionException("must be a whole number, 0 or more, not '" + value + "'");
            }
            return number;
        }
    }

    private static Long whole(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
