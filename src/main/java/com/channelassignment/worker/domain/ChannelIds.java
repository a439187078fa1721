package com.channelassignment.worker.domain;

import java.util.Locale;

/** How channel ids are written: a UUID in the canonical 8-4-4-4-12 form, its hex digits in lower case. */
public final class ChannelIds {

    private static final int UUID_LENGTH = 36;

    private ChannelIds() {
    }

    /**
     * Whether the id is a UUID in the 8-4-4-4-12 form, its hex digits in either case. UUID.fromString would also
     * accept "1-2-3-4-5", so the form is checked by hand: a loop rather than a regex, because every request's channel
     * id is checked on the consume path, more than once.
     */
    public static boolean isUuid(String id) {
        if (id == null || id.length() != UUID_LENGTH) {
            return false;
        }
        for (int i = 0; i < UUID_LENGTH; i++) {
            char c = id.charAt(i);
            boolean valid = (i == 8 || i == 13 || i == 18 || i == 23) ? c == '-' : isHexDigit(c);
            if (!valid) {
                return false;
            }
        }
        return true;
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

    private static boolean isHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
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
