package com.channelassignment.worker.badinput;

import com.channelassignment.worker.contract.AvroContract;
import java.util.Arrays;
import java.util.Random;

/**
 * Seeded, reproducible hostile records: random bytes, valid encodings with flipped bytes or cut short, and valid
 * encodings carrying random text (control characters, surrogates, strings of hundreds of kilobytes) in every field.
 */
public final class RandomBadInput {

    private final Random random;
    private final AvroContract contract = new AvroContract();

    public RandomBadInput(long seed) {
        this.random = new Random(seed);
    }

    public byte[] next(int index) {
        byte[] valid = contract.encodeRequest(BadInputCorpusWriter.request("random-" + index).build());
        switch (random.nextInt(5)) {
            case 0 -> {
                byte[] bytes = new byte[random.nextInt(200)];
                random.nextBytes(bytes);
                return bytes;
            }
            case 1 -> {
                byte[] flipped = valid.clone();
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return flipped;
            }
            case 2 -> {
                return Arrays.copyOf(valid, random.nextInt(valid.length));
            }
            default -> {
                return contract.encodeRequest(BadInputCorpusWriter.request(text(index % 7 == 0 ? 130 : 20))
                        .setOrganizationId(random.nextBoolean() ? null : text(12))
                        .setAgentHandle(index % 23 == 0 ? text(300_000) : text(1 + random.nextInt(40)))
                        .setChannelId(random.nextBoolean() ? null : text(36))
                        .setCorrelationId(random.nextBoolean() ? null : text(random.nextInt(300)))
                        .build());
            }
        }
    }

    private String text(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(10);
            if (kind == 0) {
                text.append((char) random.nextInt(0x20));
            } else if (kind == 1) {
                text.append((char) (0xD800 + random.nextInt(0x800)));
            } else if (kind == 2) {
                text.append((char) random.nextInt(0x10000));
            } else {
                text.append((char) ('a' + random.nextInt(26)));
            }
        }
        return text.toString();
    }
}
