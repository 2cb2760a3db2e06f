package dev.mtdtl.data.synth;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sizes and settings of a synthetic corpus. {@link #of} derives the target datasets' sizes from the
 * learning corpus size so one number scales everything; every field can be set on its own.
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
    public static final int GENERATOR_VERSION = 1;

    public SynthConfig {
        if (tracks < 1 || seconds < 1 || instrumentSeconds < 1) {
            throw new IllegalArgumentException("need tracks >= 1, seconds >= 1 and instrument seconds >= 1, got "
                    + tracks + ", " + seconds + ", " + instrumentSeconds);
        }
        if (seconds > 600) {
            throw new IllegalArgumentException("seconds must be at most 600, got " + seconds);
        }
        if (genrePerClass < 1 || dancePerClass < 5 || instrumentPerClass < 1 || emotionClips < 5 || recsysTracks < 20
                || recsysUsers < 1 || users < 1) {
            throw new IllegalArgumentException("target sizes too small: genre/class " + genrePerClass + ", dance/class "
                    + dancePerClass + " (>= 5 for 5 folds), instrument/class " + instrumentPerClass + ", emotion "
                    + emotionClips + " (>= 5), recsys tracks " + recsysTracks + " (>= 20), users " + recsysUsers);
        }
        soundbanks = List.copyOf(soundbanks);
    }

    /** Defaults scaled from the learning-corpus size. */
    public static SynthConfig of(long seed, int tracks, double seconds) {
        int per = Math.max(5, tracks / 40);
        return new SynthConfig(seed, tracks, seconds, Math.max(50, tracks), Math.max(2, per), Math.max(5, per),
                Math.max(2, per), 3, Math.max(20, tracks / 5), Math.max(40, tracks / 4), Math.max(20, tracks / 6),
                List.of(), true);
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
