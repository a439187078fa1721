package com.channelassignment.worker.badinput;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The checked-in corpus of malicious and malformed request records, {@code src/test/resources/bad-input/corpus.tsv}:
 * one record a line, {@code name TAB expected TAB key TAB value}, key and value in base64 or {@code NULL}. Expected
 * is {@code DEAD_LETTER} or a rejection code. {@link BadInputCorpusWriter} regenerates it.
 */
public final class BadInputCorpus {

    public static final Path FILE = Path.of("src", "test", "resources", "bad-input", "corpus.tsv");

    /** One record of the corpus and what it must get. */
    public record Entry(String name, String expected, byte[] key, byte[] value) {

        public boolean deadLetter() {
            return expected.equals("DEAD_LETTER");
        }

        String toLine() {
            return String.join("\t", name, expected, encode(key), encode(value));
        }

        static Entry fromLine(String line) {
            String[] fields = line.split("\t", -1);
            return new Entry(fields[0], fields[1], decode(fields[2]), decode(fields[3]));
        }

        public String keyText() {
            return key == null ? null : new String(key, StandardCharsets.UTF_8);
        }
    }

    private BadInputCorpus() {
    }

    public static List<Entry> load() {
        try {
            List<Entry> entries = new ArrayList<>();
            for (String line : Files.readAllLines(FILE, StandardCharsets.UTF_8)) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    entries.add(Entry.fromLine(line));
                }
            }
            if (entries.isEmpty()) {
                throw new IllegalStateException("the bad-input corpus " + FILE + " is empty");
            }
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String encode(byte[] bytes) {
        return bytes == null ? "NULL" : Base64.getEncoder().encodeToString(bytes);
    }

    static byte[] decode(String text) {
        return text.equals("NULL") ? null : Base64.getDecoder().decode(text);
    }
}
