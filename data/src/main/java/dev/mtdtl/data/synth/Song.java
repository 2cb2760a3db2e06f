package dev.mtdtl.data.synth;

import dev.mtdtl.data.synth.Styles.BassFamily;
import dev.mtdtl.data.synth.Styles.DrumFamily;
import dev.mtdtl.data.synth.Styles.Harmony;
import dev.mtdtl.data.synth.Styles.Meter;

/**
 * Every latent of one track: what the composer and the renderer need, and the ground truth saved
 * beside the audio. Immutable; made by {@link World} (learning corpus) or {@link TargetSets}.
 *
 * <p>Scales: {@code arousal}, {@code valence} in [-1, 1]; {@code valence} = 0.6 * audible part
 * ({@code valenceAudio}, drives mode, register and consonance) + 0.4 * a part the audio never sees
 * ({@code valenceHidden}, drives the lyrics' topics), so valence is harder to hear than arousal, as in
 * real emotion data. {@code tempo} is in beats per minute of the meter's beat (dotted quarter in 6/8).
 *
 * @param genre    index into {@link Styles#GENRES}, or -1 (ballroom, instrument clips)
 * @param style    sub-style 0..2 of the genre, or -1
 * @param dance    index into {@link Styles#DANCES}, or -1
 * @param lead     GM program of the lead voice; {@code leadClass} its instrument class or -1
 * @param pad      GM program of the pad, or -1 for none
 * @param acc      GM program of a second accompaniment voice (instrument task), or -1
 * @param leadDb   level of the lead relative to the accompaniment (dB)
 * @param bank     index into the corpus's soundbank list
 * @param excerpt  bars skipped before the rendered excerpt (the "30-s preview" offset)
 * @param seed     seed of the note-level randomness (humanising, melody)
 */
public record Song(String id, String artist, int genre, int style, int dance, int leadClass, int year, double tempo,
                   Meter meter, double swing, DrumFamily drums, BassFamily bass, Harmony harmony, int key,
                   boolean minor, double arousal, double valence, double valenceAudio, double valenceHidden,
                   int lead, int chords, int bassProgram, int pad, int acc, int leadCenter, double leadDb,
                   double density, int bank, Production production, int excerpt, double popularity, long seed) {

    /** Valence from its two parts (see the class comment). */
    public static double valenceOf(double audible, double hidden) {
        return 0.6 * audible + 0.4 * hidden;
    }
}
