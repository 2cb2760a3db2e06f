package dev.mtdtl.data.synth;

import dev.mtdtl.tensor.Rng;

/**
 * Pronounceable made-up words from consonant-vowel syllables: artist names, and the filler vocabulary
 * of the lyrics topics. Seeded; collisions are possible and harmless for names (ids are unique).
 * Omitted: language models of real names (no name carries a label).
 */
final class Names {

    private static final String[] ONSETS = {"b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z",
            "br", "dr", "st", "tr", "sh", "ch", "gl", "pl", "kr", "th"};
    private static final String[] VOWELS = {"a", "e", "i", "o", "u", "ai", "ou", "ee", "y"};
    private static final String[] CODAS = {"", "", "", "n", "r", "s", "l", "x", "m", "nd", "st"};

    private Names() {}

    /** A word of {@code syllables} syllables. */
    static String word(Rng r, int syllables) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < syllables; i++) {
            sb.append(ONSETS[r.nextInt(ONSETS.length)]).append(VOWELS[r.nextInt(VOWELS.length)]);
        }
        sb.append(CODAS[r.nextInt(CODAS.length)]);
        return sb.toString();
    }

    /** An artist name: one or two capitalised words, sometimes "the ... s". */
    static String artist(Rng r) {
        String a = cap(word(r, 1 + r.nextInt(2)));
        double u = r.nextDouble();
        if (u < 0.35) {
            return a + " " + cap(word(r, 1 + r.nextInt(3)));
        }
        if (u < 0.55) {
            return "The " + a + "s";
        }
        return a;
    }

    private static String cap(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
