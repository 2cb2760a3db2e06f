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
        for (Source s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown source '" + id + "' (expected one of self, bpm, year, taste, tag, "
                + "lyrics, cdr_tag, artist)");
    }

    /** Parse "a,b,c" into a non-empty list without duplicates, keeping the given order. */
    public static List<Source> parseList(String csv) {
        LinkedHashSet<Source> set = new LinkedHashSet<>();
        for (String s : csv.split(",")) {
            if (!s.isBlank() && !set.add(of(s.trim()))) {
                throw new IllegalArgumentException("source '" + s.trim() + "' listed twice in '" + csv + "'");
            }
        }
        if (set.isEmpty()) {
            throw new IllegalArgumentException("no sources in '" + csv + "'");
        }
        return new ArrayList<>(set);
    }
}
