package com.channelassignment.worker.domain;

import java.util.Locale;
import java.util.regex.Pattern;

/** How channel ids are written: a UUID in the canonical 8-4-4-4-12 form, its hex digits in lower case. */
public final class ChannelIds {

    // UUID.fromString accepts "1-2-3-4-5"; the API wants the canonical 8-4-4-4-12 hex form.
    private static final Pattern UUID_FORM =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final int UUID_LENGTH = 36;

    private ChannelIds() {
    }

    /** Whether the id is a UUID in the 8-4-4-4-12 form, its hex digits in either case. */
    public static boolean isUuid(String id) {
        return id != null && id.length() == UUID_LENGTH && UUID_FORM.matcher(id).matches();
    }

    /**
     * The id in lower case when it is a UUID written with capitals, else the id unchanged. Both doors accept either
     * case, while an outcome names an assigned channel by its stored id, in lower case: a request keeps only the
     * canonical spelling, so its fingerprint, its echo and the answer matched to it agree whatever case was sent.
     */
    public static String canonical(String id) {
        if (id == null || id.length() != UUID_LENGTH || !hasCapital(id) || !isUuid(id)) {
            return id;
        }
        return id.toLowerCase(Locale.ROOT);
    }

    private static boolean hasCapital(String id) {
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c >= 'A' && c <= 'F') {
                return true;
            }
        }
        return false;
    }
}
