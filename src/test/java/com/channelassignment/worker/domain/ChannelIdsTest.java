package com.channelassignment.worker.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelIdsTest {

    /** The definition the hand-written check must agree with: the canonical form, hex digits in either case. */
    private static final Pattern UUID_FORM =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** Characters a generated id is mutated with: near misses of hex digits and dashes, and non-ASCII look-alikes. */
    private static final char[] SUBSTITUTES = {'0', '9', 'a', 'f', 'A', 'F', 'g', 'G', 'z', 'Z', '-', '_', ' ', '/',
            ':', '@', '`', '\u0000', '\u00e9', '\u00c9', '\u0130', '\u0131', '\uff10', '\uff21', '\u0663', '\u2010',
            '\u2212', '\ufffd', '\ud83d'};

    @ParameterizedTest
    @ValueSource(strings = {"3f2b8c1e-9d4a-4e7b-8a61-0c5d2e7f9b34", "3F2B8C1E-9D4A-4E7B-8A61-0C5D2E7F9B34",
            "00000000-0000-0000-0000-000000000000", "ffffffff-FFFF-ffff-FFFF-ffffffffffff"})
    void acceptsTheCanonicalFormInEitherCase(String id) {
        assertThat(ChannelIds.isUuid(id)).isTrue();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"1-2-3-4-5", "3f2b8c1e9d4a4e7b8a610c5d2e7f9b34", "3f2b8c1e-9d4a-4e7b-8a61-0c5d2e7f9b3",
            "3f2b8c1e-9d4a-4e7b-8a61-0c5d2e7f9b345", "3f2b8c1e-9d4a-4e7b-8a61-0c5d2e7f9b3g",
            "3f2b8c1e-9d4a-4e7b-8a610-c5d2e7f9b34", "{3f2b8c1e-9d4a-4e7b-8a61-0c5d2e7f9b3}",
            "\uff13f2b8c1e-9d4a-4e7b-8a61-0c5d2e7f9b3"})
    void refusesAnythingElse(String id) {
        assertThat(ChannelIds.isUuid(id)).isFalse();
    }

    @Test
    void agreesWithTheRegularExpressionOverGeneratedIds() {
        for (String id : generatedIds(new Random(20261207), 50_000)) {
            assertThat(ChannelIds.isUuid(id)).as("isUuid(%s)", id).isEqualTo(UUID_FORM.matcher(id).matches());
            assertThat(ChannelIds.canonical(id)).as("canonical(%s)", id)
                    .isEqualTo(UUID_FORM.matcher(id).matches() ? id.toLowerCase(Locale.ROOT) : id);
        }
    }

    @Test
    void keepsALowerCaseUuidAsTheSameString() {
        String id = "3f2b8c1e-9d4a-4e7b-8a61-0c5d2e7f9b34";

        assertThat(ChannelIds.canonical(id)).isSameAs(id);
    }

    /** UUIDs in every case mix, then mutated: a character replaced, inserted or removed, or cut short. */
    private static List<String> generatedIds(Random random, int count) {
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder id = new StringBuilder(new UUID(random.nextLong(), random.nextLong()).toString());
            for (int j = 0; j < id.length(); j++) {
                if (random.nextInt(3) == 0) {
                    id.setCharAt(j, Character.toUpperCase(id.charAt(j)));
                }
            }
            switch (random.nextInt(5)) {
                case 0 -> {
                    // unchanged
                }
                case 1 -> id.setCharAt(random.nextInt(id.length()), SUBSTITUTES[random.nextInt(SUBSTITUTES.length)]);
                case 2 -> id.insert(random.nextInt(id.length() + 1), SUBSTITUTES[random.nextInt(SUBSTITUTES.length)]);
                case 3 -> id.deleteCharAt(random.nextInt(id.length()));
                default -> id.setLength(random.nextInt(id.length()));
            }
            ids.add(id.toString());
        }
        return ids;
    }
}
