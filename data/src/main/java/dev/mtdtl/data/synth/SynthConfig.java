package dev.mtdtl.data.synth;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sizes and settings of a synthetic corpus. {@link #of} gives the default target sizes (independent of the
 * learning corpus, scaled by one factor if asked); every field can be set on its own.
 *
 * @param tracks            learning-corpus tracks (the MSD-subset analogue)
 * @param seconds           clip length of learning, genre, dance, emotion and recommendation clips
 * @param instrumentSeconds clip length of the instrument task (IRMAS: 3 s)
 * @param users             learning-corpus listeners (taste source)
 * @param soundbanks        SF2 files to use; empty = search the usual places
 * @param searchSoundbanks  look for installed SF2 files when {@code soundbanks} is empty
 */
public record SynthConfig(long seed, int tracks, double seconds, int users, int genrePerClass, int dancePerClass,
                          int instrumentPerClass, double instrumentSeconds, int emotionClips, int recsysTracks,
                          int recsysUsers, List<Path> soundbanks, boolean searchSoundbanks) {

    /** Version of the generator's output; bump when the same seed gives different files. */
    public static final int GENERATOR_VERSION = 3;

    public SynthConfig {
        if (tracks < 1 || !(seconds >= 1) || !(instrumentSeconds >= 1)) {   // NaN fails too
            throw new IllegalArgumentException("need tracks >= 1, seconds >= 1 and instrument seconds >= 1, got "
                    + tracks + ", " + seconds + ", " + instrumentSeconds);
        }
        if (seconds > 600 || instrumentSeconds > 600) {
            throw new IllegalArgumentException("seconds must be at most 600, got " + seconds + " and " + instrumentSeconds);
        }
        if (genrePerClass < 1 || dancePerClass < 5 || instrumentPerClass < 1 || emotionClips < 5 || recsysTracks < 20
                || recsysUsers < 1 || users < 1) {
            throw new IllegalArgumentException("target sizes too small: genre/class " + genrePerClass + ", dance/class "
                    + dancePerClass + " (>= 5 for 5 folds), instrument/class " + instrumentPerClass + ", emotion "
                    + emotionClips + " (>= 5), recsys tracks " + recsysTracks + " (>= 20), users " + recsysUsers);
        }
        soundbanks = List.copyOf(soundbanks);
    }

    /**
     * Default target sizes, independent of the learning corpus: every classification target gets 40 clips per
     * class (genre 400, dance 320, instrument 440 or 400), emotion 300 clips, recommendation 300 tracks and 200
     * listeners. Why 40: with k-fold evaluation over the whole set, one repetition's accuracy on n tracks has a
     * binomial standard error of at most sqrt(0.25 / n), 0.028 for dance's 320, against the 0.10-0.30 gaps
     * between tempo-aware and tempo-blind representations on that task (docs/corpus.md, "Sizes").
     */
    public static final int PER_CLASS = 40;
    public static final int EMOTION_CLIPS = 300;
    public static final int RECSYS_TRACKS = 300;
    public static final int RECSYS_USERS = 200;

    /** Default settings: {@code tracks} learning tracks and the default target sizes. */
    public static SynthConfig of(long seed, int tracks, double seconds) {
        return of(seed, tracks, seconds, 1.0);
    }

    /**
     * Target sizes are the defaults above times {@code targetScale} (rounded; at least 5 per class so that a
     * stratified 5-fold split exists, 20 emotion clips, 40 recommendation tracks and 20 listeners); the learning
     * corpus is unaffected (its tracks and listeners, max(50, tracks), are drawn before the targets).
     */
    public static SynthConfig of(long seed, int tracks, double seconds, double targetScale) {
        if (!(targetScale > 0) || targetScale > 100) {
            throw new IllegalArgumentException("target scale must be in (0, 100], got " + targetScale);
        }
        int per = Math.max(5, (int) Math.round(PER_CLASS * targetScale));
        return new SynthConfig(seed, tracks, seconds, Math.max(50, tracks), per, per, per, 3,
                Math.max(20, (int) Math.round(EMOTION_CLIPS * targetScale)),
                Math.max(40, (int) Math.round(RECSYS_TRACKS * targetScale)),
                Math.max(20, (int) Math.round(RECSYS_USERS * targetScale)), List.of(), true);
    }

    /** The same settings with the target sizes replaced where an argument is not null. */
    public SynthConfig withTargetSizes(Integer genre, Integer dance, Integer instrument, Integer emotion,
                                       Integer recTracks, Integer recUsers) {
        return new SynthConfig(seed, tracks, seconds, users, genre != null ? genre : genrePerClass,
                dance != null ? dance : dancePerClass, instrument != null ? instrument : instrumentPerClass,
                instrumentSeconds, emotion != null ? emotion : emotionClips, recTracks != null ? recTracks : recsysTracks,
                recUsers != null ? recUsers : recsysUsers, soundbanks, searchSoundbanks);
    }

    public SynthConfig withSoundbanks(List<Path> files, boolean search) {
        return new SynthConfig(seed, tracks, seconds, users, genrePerClass, dancePerClass, instrumentPerClass,
                instrumentSeconds, emotionClips, recsysTracks, recsysUsers, files, search);
    }

    /** Everything that determines the output, for the resume check and the manifest. */
    public Map<String, Object> toJson(List<String> bankNames) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("generator_version", GENERATOR_VERSION);
        m.put("seed", seed);
        m.put("tracks", tracks);
        m.put("seconds", seconds);
        m.put("users", users);
        m.put("genre_per_class", genrePerClass);
        m.put("dance_per_class", dancePerClass);
        m.put("instrument_per_class", instrumentPerClass);
        m.put("instrument_seconds", instrumentSeconds);
        m.put("emotion_clips", emotionClips);
        m.put("recsys_tracks", recsysTracks);
        m.put("recsys_users", recsysUsers);
        m.put("soundbanks", List.copyOf(bankNames));
        return m;
    }
}
