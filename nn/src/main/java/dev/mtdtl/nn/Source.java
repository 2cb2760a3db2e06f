package dev.mtdtl.nn;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The paper's eight learning sources (s1..s8 of the design, digest section 4), in the paper's order.
 * Every source but {@link #SELF} has K = 50 latent-factor targets z (tracks x 50) from the label
 * preprocessing; SELF is the Siamese same-track task with 2 classes and is defined on every track.
 */
public enum Source {
    SELF("self"), BPM("bpm"), YEAR("year"), TASTE("taste"), TAG("tag"), LYRICS("lyrics"), CDR_TAG("cdr_tag"),
    ARTIST("artist");

    private final String id;

    Source(String id) {
        this.id = id;
    }

    /** The name used in parameter names, checkpoints and on the command line. */
    public String id() {
        return id;
    }

    public boolean isSelf() {
        return this == SELF;
    }

    public static Source of(String id) {
        if (id.isBlank()) {
            throw new IllegalArgumentException("an empty source name (two commas in a row, or one at an end?); "
                    + "expected one of self, bpm, year, taste, tag, lyrics, cdr_tag, artist");
        }
        for (Source s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown source '" + id + "' (expected one of self, bpm, year, taste, tag, "
                + "lyrics, cdr_tag, artist)");
    }

    /**
     * Parse "a,b,c" into a non-empty list without duplicates, keeping the given order. An empty name ("bpm,,tag",
     * "bpm,") is refused, as {@code study design} refuses it: it is a typo whose missing source would go unnoticed.
     */
    public static List<Source> parseList(String csv) {
        if (csv.isBlank()) {
            throw new IllegalArgumentException("no sources in '" + csv + "'");
        }
        LinkedHashSet<Source> set = new LinkedHashSet<>();
        for (String s : csv.split(",", -1)) {
            if (s.isBlank()) {
                throw new IllegalArgumentException("'" + csv + "': an empty source name (two commas in a row, or one "
                        + "at an end?)");
            }
            if (!set.add(of(s.trim()))) {
                throw new IllegalArgumentException("source '" + s.trim() + "' listed twice in '" + csv + "'");
            }
        }
        return new ArrayList<>(set);
    }
}
