package dev.mtdtl.data.synth;

import dev.mtdtl.data.synth.Styles.DrumFamily;
import dev.mtdtl.data.synth.Styles.Meter;
import dev.mtdtl.tensor.Rng;

/**
 * One bar of a drum pattern family on the meter's step grid (steps = beats x steps per beat), as
 * (step, GM drum key, velocity) hits. The families are rules over (beat, sub-beat), so every family
 * works in every meter; the dance families carry the rhythm cues that separate dances of equal tempo
 * (samba surdo accents and 16th shaker, tango staccato, cha-cha "four-and-one", jive shuffle, rumba clave),
 * all played on one shared palette so that the cue is rhythmic, not timbral.
 *
 * <p>{@code intensity} in [0, 1] (from arousal) adds 16th hi-hats, ghost notes and louder hits.
 * Omitted: fills, crashes at section starts, brushes (the jazz family uses ride and soft snare).
 */
final class Drums {

    static final int KICK = 36, RIM = 37, SNARE = 38, CLAP = 39, HAT = 42, PEDAL_HAT = 44, OPEN_HAT = 46,
            RIDE = 51, MARACAS = 70;

    private Drums() {}

    /** Hits of one bar: rows of {step, key, velocity}. */
    static int[][] bar(DrumFamily f, Meter m, int bar, double intensity, Rng rng) {
        int spb = m.stepsPerBeat;
        int steps = m.beats * spb;
        int[][] out = new int[steps * 6][];
        int k = 0;
        int v = (int) (70 + 40 * intensity);
        boolean sixteenths = intensity > 0.55;
        for (int s = 0; s < steps; s++) {
            int beat = s / spb;
            int sub = s % spb;
            boolean onBeat = sub == 0;
            boolean eighth = spb == 4 ? sub % 2 == 0 : sub != 1;   // in compound time: 1st and 3rd triplet
            boolean back = onBeat && beat % 2 == 1;
            switch (f) {
                case BACKBEAT -> {
                    if (onBeat && beat % 2 == 0 || spb == 4 && beat == 1 && sub == 2 && m.beats == 4) out[k++] = h(s, KICK, v);
                    if (back) out[k++] = h(s, SNARE, v);
                    if (eighth || sixteenths) out[k++] = h(s, HAT, onBeat ? v - 15 : v - 30);
                }
                case FOUR_ON_FLOOR -> {
                    if (onBeat) out[k++] = h(s, KICK, v + 5);
                    if (back) out[k++] = h(s, CLAP, v - 5);
                    if (spb == 4 && sub == 2) out[k++] = h(s, OPEN_HAT, v - 20);
                    if (sixteenths && sub % 2 == 1) out[k++] = h(s, HAT, v - 35);
                }
                case HALF_TIME -> {
                    if (s == 0 || (spb == 4 && s == steps / 2 + 2)) out[k++] = h(s, KICK, v);
                    if (s == steps / 2) out[k++] = h(s, SNARE, v);
                    if (eighth) out[k++] = h(s, HAT, v - 25);
                }
                case SHUFFLE -> {
                    if (onBeat && beat % 2 == 0) out[k++] = h(s, KICK, v);
                    if (back) out[k++] = h(s, SNARE, v - 5);
                    if (onBeat || sub == spb - 1) out[k++] = h(s, HAT, v - 25);
                }
                case ONE_DROP -> {
                    if (s == steps / 2) {
                        out[k++] = h(s, KICK, v);
                        out[k++] = h(s, RIM, v - 10);
                    }
                    if (spb == 4 && sub == 2) out[k++] = h(s, HAT, v - 25);
                }
                case BREAKBEAT -> {
                    if (s == 0 || (spb == 4 && s == 10) || (spb == 4 && s == 7 && bar % 2 == 1)) out[k++] = h(s, KICK, v);
                    if (back) out[k++] = h(s, SNARE, v);
                    if (intensity > 0.4 && spb == 4 && (s == 9 || s == 15) && rng.nextDouble() < 0.5) out[k++] = h(s, SNARE, v - 45);
                    if (spb == 4 ? true : eighth) out[k++] = h(s, HAT, sub == 0 ? v - 20 : v - 38);
                }
                case JAZZ_RIDE -> {
                    if (onBeat || sub == spb - 1 && beat % 2 == 1) out[k++] = h(s, RIDE, onBeat ? v - 20 : v - 35);
                    if (back) out[k++] = h(s, PEDAL_HAT, v - 30);
                    if (sub == spb - 1 && rng.nextDouble() < 0.15) out[k++] = h(s, SNARE, v - 45);
                }
                case NONE -> { }
                // The dance families share one palette (kick, snare, rim, closed hat, maracas) so that the rhythm
                // cue is where the hits fall, not which sounds play: with class-specific percussion (cowbell and
                // guiro only in cha-cha, claves and conga only in rumba, ride only in jive, ...) frame-level
                // MFCC statistics named the dance without any tempo (generator version 1: MFCC 0.67 on the
                // 320-clip dance set, equal-tempo pairs ChaCha/Tango 0.76 and Rumba/Samba 0.83 by nearest centroid).
                case WALTZ -> {
                    if (s == 0) out[k++] = h(s, KICK, v);
                    if (onBeat && beat > 0) out[k++] = h(s, HAT, v - 25);
                    if (onBeat && beat > 0) out[k++] = h(s, RIM, v - 35);
                }
                case SAMBA -> {
                    if (beat % 2 == 1 && onBeat) out[k++] = h(s, KICK, v + 5);           // surdo accent on 2 and 4
                    if (beat % 2 == 0 && onBeat) out[k++] = h(s, KICK, v - 20);
                    out[k++] = h(s, MARACAS, sub == 0 ? v - 20 : v - 35);                 // 16th shaker
                    if ((s * 7 + 3) % 5 == 0) out[k++] = h(s, RIM, v - 15);               // tamborim-like
                }
                case TANGO -> {
                    if (onBeat) out[k++] = h(s, KICK, beat == 0 ? v + 5 : v - 10);           // marcato quarters
                    if (spb == 4 && beat == 3 && sub == 2) out[k++] = h(s, SNARE, v);     // the "and" snap
                    if (onBeat && beat % 2 == 1) out[k++] = h(s, RIM, v - 15);
                }
                case CHACHA -> {
                    if (onBeat) out[k++] = h(s, HAT, v - 15);
                    if (beat == 3 && (sub == 0 || sub == 2) || s == 0) out[k++] = h(s, RIM, v - 5);   // "four-and-one"
                    if (beat == 0 && onBeat || beat == 2 && onBeat) out[k++] = h(s, KICK, v - 10);
                    if (beat == 3 && sub == 2) out[k++] = h(s, SNARE, v - 10);
                }
                case JIVE -> {
                    if (onBeat && beat % 2 == 0) out[k++] = h(s, KICK, v);
                    if (back) out[k++] = h(s, SNARE, v + 5);
                    if (onBeat || sub == 2) out[k++] = h(s, HAT, v - 25);
                }
                case RUMBA -> {
                    // 3-2 son clave over 16 steps: 0, 3, 6, 10, 12
                    if (s == 0 || s == 3 || s == 6 || s == 10 || s == 12) out[k++] = h(s, RIM, v - 10);
                    if (beat == 3 && onBeat) out[k++] = h(s, KICK, v - 5);
                }
                case QUICKSTEP -> {
                    if (onBeat && beat % 2 == 0) out[k++] = h(s, KICK, v);
                    if (back) out[k++] = h(s, SNARE, v - 10);
                    if (onBeat) out[k++] = h(s, HAT, v - 30);
                }
            }
            if (f.ordinal() >= DrumFamily.WALTZ.ordinal() && f != DrumFamily.SAMBA && eighth) {
                out[k++] = h(s, MARACAS, v - 40);                                          // the shared shaker
            }
        }
        return java.util.Arrays.copyOf(out, k);
    }

    private static int[] h(int step, int key, int vel) {
        return new int[]{step, key, vel};
    }
}
