package dev.mtdtl.data.synth;

import java.util.List;

/**
 * The fixed musical vocabulary of the synthetic world: genres (the ten of GTZAN plus electronic and
 * folk), each with three named sub-styles, and the priors a genre puts on tempo, meter, drum and bass
 * pattern families, harmony, mode, instruments, era and mood. The eight ballroom dances of the
 * tempo-dominated target task are here too.
 *
 * <p>Reference: ../shared/reference/data-notes.md section 2 ("Latent world"); tempo means of the dances
 * follow the Extended Ballroom set. Numbers are design choices, tuned by the calibration tests.
 *
 * <p>Omitted: per-style lyrics and tag vocabularies (they derive from the names here), non-Western
 * scales and meters other than 4/4, 3/4, 6/8 and 12/8.
 */
public final class Styles {

    private Styles() {}

    /** Drum pattern families (rendered procedurally by {@link Drums}). */
    public enum DrumFamily { BACKBEAT, FOUR_ON_FLOOR, HALF_TIME, SHUFFLE, ONE_DROP, BREAKBEAT, JAZZ_RIDE, NONE,
        WALTZ, SAMBA, TANGO, CHACHA, JIVE, RUMBA, QUICKSTEP }

    /** Bass line families. */
    public enum BassFamily { ROOT, ROOT_FIFTH, WALKING, SYNCOPATED, PEDAL, OCTAVE }

    /** Chord progressions, as scale degrees (0-based) per bar; {@code sevenths} adds the 7th. */
    public enum Harmony {
        BLUES12(new int[]{0, 0, 0, 0, 3, 3, 0, 0, 4, 3, 0, 4}, true),
        POP(new int[]{0, 4, 5, 3}, false),
        JAZZ(new int[]{1, 4, 0, 5}, true),
        MODAL(new int[]{0, 6, 5, 6}, false),
        MINOR(new int[]{0, 3, 4, 0}, false),
        FOLK(new int[]{0, 3, 0, 4}, false);

        final int[] degrees;
        final boolean sevenths;

        Harmony(int[] degrees, boolean sevenths) {
            this.degrees = degrees;
            this.sevenths = sevenths;
        }
    }

    /** A meter: beats per bar and grid steps per beat (4 = simple time, 3 = compound). */
    public enum Meter {
        FOUR_FOUR(4, 4, "4/4"), THREE_FOUR(3, 4, "3/4"), SIX_EIGHT(2, 3, "6/8"), TWELVE_EIGHT(4, 3, "12/8");

        public final int beats;
        public final int stepsPerBeat;
        public final String label;

        Meter(int beats, int stepsPerBeat, String label) {
            this.beats = beats;
            this.stepsPerBeat = stepsPerBeat;
            this.label = label;
        }
    }

    /**
     * A genre's priors. Programs are General MIDI numbers (0-based). {@code arousal}, {@code valence}
     * are means on [-1, 1]; {@code lyricsProb} is the chance that a track of the genre has lyrics.
     */
    public record Genre(String name, String[] styles, double tempo, List<Meter> meters, double swing,
                        List<DrumFamily> drums, List<BassFamily> bass, List<Harmony> harmony, double minorProb,
                        int[] lead, int[] chords, int[] bassProg, int[] pad, int yearMean, double arousal,
                        double valence, double lyricsProb, double vocalProb) {}

    private static List<Meter> m(Meter... x) {
        return List.of(x);
    }

    private static List<DrumFamily> d(DrumFamily... x) {
        return List.of(x);
    }

    private static List<BassFamily> b(BassFamily... x) {
        return List.of(x);
    }

    private static List<Harmony> h(Harmony... x) {
        return List.of(x);
    }

    private static int[] p(int... x) {
        return x;
    }

    /** The twelve genres; the first ten are GTZAN's classes, in GTZAN's alphabetical order. */
    public static final List<Genre> GENRES = List.of(
            new Genre("blues", new String[]{"delta blues", "chicago blues", "blues rock"}, 92,
                    m(Meter.TWELVE_EIGHT, Meter.FOUR_FOUR), 0.6, d(DrumFamily.SHUFFLE, DrumFamily.BACKBEAT),
                    b(BassFamily.WALKING, BassFamily.ROOT_FIFTH), h(Harmony.BLUES12), 0.3,
                    p(25, 26, 65, 22, 29), p(0, 16, 25), p(32, 33), p(16, 19), 1965, -0.1, -0.3, 0.8, 0.8),
            new Genre("classical", new String[]{"baroque", "romantic", "chamber music"}, 84,
                    m(Meter.FOUR_FOUR, Meter.THREE_FOUR, Meter.SIX_EIGHT), 0.0, d(DrumFamily.NONE),
                    b(BassFamily.PEDAL, BassFamily.ROOT), h(Harmony.FOLK, Harmony.MINOR, Harmony.POP), 0.45,
                    p(40, 73, 71, 68, 0, 42), p(48, 0, 6, 46), p(42, 43, 32), p(48, 49, 19), 1975, -0.5, 0.0,
                    0.03, 0.1),
            new Genre("country", new String[]{"honky tonk", "bluegrass", "country pop"}, 112,
                    m(Meter.FOUR_FOUR, Meter.THREE_FOUR), 0.15, d(DrumFamily.BACKBEAT, DrumFamily.HALF_TIME),
                    b(BassFamily.ROOT_FIFTH), h(Harmony.FOLK, Harmony.POP), 0.15,
                    p(25, 105, 40, 22, 27), p(25, 24, 0), p(32, 33), p(48, 19), 1978, 0.1, 0.4, 0.85, 0.85),
            new Genre("disco", new String[]{"philly soul", "euro disco", "boogie"}, 120,
                    m(Meter.FOUR_FOUR), 0.0, d(DrumFamily.FOUR_ON_FLOOR), b(BassFamily.OCTAVE, BassFamily.SYNCOPATED),
                    h(Harmony.POP, Harmony.MINOR), 0.4, p(61, 56, 48, 81, 62), p(4, 27, 48), p(38, 33, 39),
                    p(48, 49, 89), 1978, 0.6, 0.5, 0.8, 0.8),
            new Genre("hiphop", new String[]{"boom bap", "trap", "west coast"}, 90,
                    m(Meter.FOUR_FOUR), 0.35, d(DrumFamily.BREAKBEAT, DrumFamily.HALF_TIME),
                    b(BassFamily.SYNCOPATED, BassFamily.PEDAL), h(Harmony.MINOR, Harmony.MODAL), 0.7,
                    p(0, 11, 80, 81, 54), p(4, 0, 88), p(38, 39, 33), p(89, 90, 50), 2000, 0.3, -0.1, 0.95, 0.9),
            new Genre("jazz", new String[]{"bebop", "cool jazz", "swing"}, 132,
                    m(Meter.FOUR_FOUR, Meter.THREE_FOUR), 0.65, d(DrumFamily.JAZZ_RIDE), b(BassFamily.WALKING),
                    h(Harmony.JAZZ, Harmony.BLUES12), 0.3, p(65, 66, 56, 0, 26, 71), p(0, 4, 26), p(32, 35),
                    p(0, 11), 1962, 0.0, 0.2, 0.15, 0.2),
            new Genre("metal", new String[]{"thrash metal", "doom metal", "power metal"}, 150,
                    m(Meter.FOUR_FOUR, Meter.TWELVE_EIGHT), 0.0, d(DrumFamily.BACKBEAT, DrumFamily.BREAKBEAT),
                    b(BassFamily.OCTAVE, BassFamily.ROOT), h(Harmony.MODAL, Harmony.MINOR), 0.9,
                    p(30, 29, 81, 84), p(30, 29), p(34, 33, 37), p(19, 48, 91), 1992, 0.85, -0.6, 0.8, 0.8),
            new Genre("pop", new String[]{"synth pop", "teen pop", "power ballad"}, 116,
                    m(Meter.FOUR_FOUR), 0.05, d(DrumFamily.BACKBEAT, DrumFamily.FOUR_ON_FLOOR),
                    b(BassFamily.ROOT, BassFamily.SYNCOPATED), h(Harmony.POP), 0.25, p(54, 80, 73, 0, 11, 82),
                    p(0, 4, 5, 88), p(33, 38, 34), p(89, 88, 48), 1995, 0.35, 0.55, 0.9, 0.9),
            new Genre("reggae", new String[]{"roots reggae", "dub", "ska"}, 76,
                    m(Meter.FOUR_FOUR), 0.25, d(DrumFamily.ONE_DROP, DrumFamily.HALF_TIME),
                    b(BassFamily.SYNCOPATED, BassFamily.ROOT_FIFTH), h(Harmony.POP, Harmony.FOLK), 0.35,
                    p(16, 56, 64, 17, 54), p(16, 27, 25), p(33, 34, 38), p(16, 48), 1980, 0.0, 0.35, 0.85, 0.8),
            new Genre("rock", new String[]{"classic rock", "punk rock", "indie rock"}, 126,
                    m(Meter.FOUR_FOUR), 0.0, d(DrumFamily.BACKBEAT, DrumFamily.HALF_TIME),
                    b(BassFamily.ROOT, BassFamily.OCTAVE), h(Harmony.POP, Harmony.MODAL, Harmony.FOLK), 0.4,
                    p(29, 27, 30, 0, 16), p(27, 29, 25), p(33, 34, 35), p(16, 48, 19), 1985, 0.6, 0.1, 0.85, 0.85),
            new Genre("electronic", new String[]{"house", "techno", "ambient"}, 124,
                    m(Meter.FOUR_FOUR), 0.0, d(DrumFamily.FOUR_ON_FLOOR, DrumFamily.BREAKBEAT),
                    b(BassFamily.OCTAVE, BassFamily.PEDAL, BassFamily.SYNCOPATED), h(Harmony.MINOR, Harmony.MODAL),
                    0.6, p(80, 81, 84, 87, 98), p(88, 89, 90, 4), p(38, 39, 87), p(89, 90, 91, 95), 2003, 0.5,
                    0.1, 0.1, 0.15),
            new Genre("folk", new String[]{"singer songwriter", "celtic", "americana"}, 100,
                    m(Meter.THREE_FOUR, Meter.SIX_EIGHT, Meter.FOUR_FOUR), 0.1, d(DrumFamily.NONE, DrumFamily.HALF_TIME),
                    b(BassFamily.ROOT_FIFTH, BassFamily.PEDAL), h(Harmony.FOLK, Harmony.MINOR), 0.35,
                    p(24, 73, 40, 22, 105, 109), p(24, 25, 46), p(32, 42), p(48, 21), 1972, -0.3, 0.1, 0.7, 0.8));

    /** Number of GTZAN genres (the first entries of {@link #GENRES}). */
    public static final int GTZAN = 10;

    /** Genre index by name, or -1. */
    public static int genreIndex(String name) {
        for (int i = 0; i < GENRES.size(); i++) {
            if (GENRES.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Genres a professional annotator confuses with each genre (cdr_tag noise, tag neighbours). */
    public static int[] neighbours(int g) {
        return switch (GENRES.get(g).name()) {
            case "rock" -> new int[]{genreIndex("metal"), genreIndex("pop"), genreIndex("blues")};
            case "metal" -> new int[]{genreIndex("rock")};
            case "pop" -> new int[]{genreIndex("disco"), genreIndex("electronic"), genreIndex("rock")};
            case "disco" -> new int[]{genreIndex("pop"), genreIndex("electronic")};
            case "electronic" -> new int[]{genreIndex("disco"), genreIndex("pop"), genreIndex("hiphop")};
            case "blues" -> new int[]{genreIndex("jazz"), genreIndex("rock")};
            case "jazz" -> new int[]{genreIndex("blues")};
            case "country" -> new int[]{genreIndex("folk"), genreIndex("rock")};
            case "folk" -> new int[]{genreIndex("country"), genreIndex("classical")};
            case "hiphop" -> new int[]{genreIndex("reggae"), genreIndex("electronic")};
            case "reggae" -> new int[]{genreIndex("hiphop"), genreIndex("pop")};
            default -> new int[]{genreIndex("folk")};
        };
    }

    /** A ballroom dance: class name, tempo mean (BPM), meter, rhythm family, swing. */
    public record Dance(String name, double tempo, Meter meter, DrumFamily drums, BassFamily bass, double swing) {}

    /** The eight dances of the Ballroom-like task (tempo means of the Extended Ballroom set). */
    public static final List<Dance> DANCES = List.of(
            new Dance("ChaCha", 122, Meter.FOUR_FOUR, DrumFamily.CHACHA, BassFamily.SYNCOPATED, 0.0),
            new Dance("Jive", 166, Meter.FOUR_FOUR, DrumFamily.JIVE, BassFamily.WALKING, 0.6),
            new Dance("Quickstep", 201, Meter.FOUR_FOUR, DrumFamily.QUICKSTEP, BassFamily.ROOT_FIFTH, 0.2),
            new Dance("Rumba", 98, Meter.FOUR_FOUR, DrumFamily.RUMBA, BassFamily.SYNCOPATED, 0.0),
            new Dance("Samba", 101, Meter.FOUR_FOUR, DrumFamily.SAMBA, BassFamily.OCTAVE, 0.0),
            new Dance("Tango", 127, Meter.FOUR_FOUR, DrumFamily.TANGO, BassFamily.ROOT, 0.0),
            new Dance("VienneseWaltz", 177, Meter.THREE_FOUR, DrumFamily.WALTZ, BassFamily.ROOT, 0.0),
            new Dance("Waltz", 86, Meter.THREE_FOUR, DrumFamily.WALTZ, BassFamily.ROOT, 0.0));

    /**
     * IRMAS-like instrument classes as families of GM programs. {@code emergencyOk} is false where the
     * JDK's emergency soundbank renders the family identically to another class (measured: all of 40-44
     * and 110 share one timbre, so cello = violin there; 24-28 share one guitar, so electric guitar
     * keeps only the overdriven 29-30).
     */
    public record Instrument(String name, int[] programs, int[] emergencyPrograms, boolean emergencyOk) {}

    public static final List<Instrument> INSTRUMENTS = List.of(
            new Instrument("cello", p(42), p(42), false),
            new Instrument("clarinet", p(71), p(71), true),
            new Instrument("flute", p(73, 72), p(73), true),
            new Instrument("acoustic_guitar", p(24, 25), p(24), true),
            new Instrument("electric_guitar", p(26, 27, 29, 30), p(29, 30), true),
            new Instrument("organ", p(16, 17, 18, 19), p(16, 19), true),
            new Instrument("piano", p(0, 1, 2), p(0, 1, 2), true),
            new Instrument("saxophone", p(64, 65, 66, 67), p(65, 66), true),
            new Instrument("trumpet", p(56, 59), p(56), true),
            new Instrument("violin", p(40, 110), p(40), true),
            new Instrument("voice", p(52, 53, 54), p(52, 53), true));

    /** Moods named for the tag source, by (arousal, valence) quadrant and extremes. */
    static String[] moodTags(double a, double v) {
        if (a > 0.3 && v > 0.2) {
            return new String[]{"upbeat", "happy", "energetic", "party"};
        }
        if (a > 0.3) {
            return new String[]{"aggressive", "dark", "intense", "angry"};
        }
        if (v > 0.2) {
            return new String[]{"chill", "relaxing", "mellow", "sweet"};
        }
        return new String[]{"sad", "melancholic", "melancholy", "dark"};
    }
}
