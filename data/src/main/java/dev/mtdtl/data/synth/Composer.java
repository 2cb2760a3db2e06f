package dev.mtdtl.data.synth;

import dev.mtdtl.data.synth.Styles.Meter;
import dev.mtdtl.tensor.Rng;

/**
 * Turns a {@link Song}'s latents into a {@link Score}: drums from the pattern family, a bass line from
 * the chords, comped or sustained chords, an optional pad, an optional second accompaniment voice, and
 * a lead melody from a second-order Markov chain over scale degrees, in A/B sections of 8 bars.
 *
 * <p>How latents become sound: arousal sets velocities, note density and drum intensity; the audible
 * part of valence sets the mode (with the song's key), the lead register and consonance (added 9ths
 * for positive, minor seconds and tritones for negative valence). Timing is humanised by 4-12 ms and
 * swing delays the off-beat eighths. Channels: 0 lead, 1 chords, 2 bass, 3 pad, 4 accompaniment,
 * 9 drums.
 *
 * <p>Reference: data-notes.md section 2, "Notes". Omitted: fills, dynamics curves, chord inversions
 * beyond close voicing, lyrics-driven melody.
 */
final class Composer {

    private static final int[] MAJOR = {0, 2, 4, 5, 7, 9, 11};
    private static final int[] MINOR = {0, 2, 3, 5, 7, 8, 10};
    static final int LEAD = 0, CHORDS = 1, BASS = 2, PAD = 3, ACC = 4;

    private Composer() {}

    /** The first {@code seconds} of the song (from its excerpt offset), as MIDI events. */
    static Score compose(Song s, double seconds) {
        Rng rng = new Rng(s.seed());
        Score sc = new Score();
        Meter m = s.meter();
        double stepUs = 60e6 / s.tempo() / m.stepsPerBeat;
        int barSteps = m.beats * m.stepsPerBeat;
        int bars = (int) Math.ceil(seconds * 1e6 / (barSteps * stepUs)) + 1;
        int[] scale = s.minor() ? MINOR : MAJOR;
        double a01 = (s.arousal() + 1) / 2;                       // arousal on [0, 1]
        int baseVel = (int) (52 + 50 * a01);
        double humanUs = 4000 + 8000 * rng.nextDouble();

        // Programs, levels (CC7) and pans (CC10). The lead sits leadDb above the rest.
        int accVol = (int) Math.round(112 * StrictMath.pow(10, -Math.max(0, s.leadDb()) / 20));
        setup(sc, LEAD, s.lead(), 112, 64 + rng.nextInt(21) - 10);
        setup(sc, CHORDS, s.chords(), accVol, 40 + rng.nextInt(12));
        setup(sc, BASS, s.bassProgram(), Math.min(120, accVol + 8), 64);
        if (s.pad() >= 0) {
            setup(sc, PAD, s.pad(), (int) (accVol * 0.7), 88 + rng.nextInt(12));
        }
        if (s.acc() >= 0) {
            setup(sc, ACC, s.acc(), accVol, 30 + rng.nextInt(70));
        }
        sc.add(0, Score.CONTROL, Score.DRUMS, 7, Math.min(120, accVol + 6));

        int prev1 = 0, prev2 = 0;                                  // Markov state: last two degree steps
        int degree = 0;
        long melodySeed = rng.nextLong();
        Rng mel = new Rng(melodySeed);
        for (int bar = 0; bar < bars; bar++) {
            int absBar = bar + s.excerpt();
            boolean sectionB = (absBar / 8) % 2 == 1;
            int[] prog = s.harmony().degrees;
            int deg = prog[(absBar + (sectionB ? 2 : 0)) % prog.length];
            long barUs = Math.round(bar * barSteps * stepUs);
            int root = 48 + s.key() + scale[deg];                  // chord root, octave 3

            // Drums
            if (s.drums() != Styles.DrumFamily.NONE) {
                for (int[] hit : Drums.bar(s.drums(), m, absBar, a01, rng)) {
                    long t = barUs + swing(hit[0], m, stepUs, s.swing()) + jitter(rng, humanUs);
                    sc.note(t, Score.DRUMS, hit[1], hit[2] + (int) (8 * rng.nextGaussian()), 80_000);
                }
            }
            // Chord tones (close voicing around root), with consonance from valence
            int[] chord = chordTones(scale, deg, s.key(), s.harmony().sevenths, s.valenceAudio(), rng);
            long barLen = Math.round(barSteps * stepUs);
            comp(sc, s, chord, barUs, barLen, m, stepUs, baseVel, rng, humanUs);
            if (s.pad() >= 0) {
                for (int k : chord) {
                    sc.note(barUs, PAD, k + 12, baseVel - 25, barLen - 20_000);
                }
            }
            if (s.acc() >= 0) {
                for (int beat = 0; beat < m.beats; beat++) {
                    int k = chord[(beat + bar) % chord.length] + 12;
                    long t = barUs + Math.round(beat * m.stepsPerBeat * stepUs) + jitter(rng, humanUs);
                    sc.note(t, ACC, k, baseVel - 10, Math.round(m.stepsPerBeat * stepUs * 0.9));
                }
            }
            bass(sc, s, root - 12, scale, deg, barUs, m, stepUs, baseVel, rng, humanUs);

            // Lead: second-order Markov walk over scale degrees, phrase rests every other bar-half
            double noteProb = Math.min(0.95, (0.25 + 0.45 * a01) * s.density());
            int center = s.leadCenter() + (sectionB ? 2 : 0);
            for (int st = 0; st < barSteps; st++) {
                boolean strong = st % m.stepsPerBeat == 0;
                boolean restZone = (absBar % 4 == 3) && st >= barSteps / 2;
                double p = restZone ? 0.05 : strong ? Math.min(1, noteProb + 0.25) : noteProb * 0.6;
                if (mel.nextDouble() >= p) {
                    continue;
                }
                int step = markovStep(prev1, prev2, mel);
                prev2 = prev1;
                prev1 = step;
                degree += step;
                int key = degreeToKey(degree, scale, s.key(), center);
                if (key > center + 9 || key < center - 9) {         // keep the register: reflect the walk
                    degree -= 2 * step;
                    key = degreeToKey(degree, scale, s.key(), center);
                }
                int lenSteps = 1 + (mel.nextDouble() < 0.4 ? 1 : 0) + (strong && mel.nextDouble() < 0.3 ? 2 : 0);
                long t = barUs + swing(st, m, stepUs, s.swing()) + jitter(rng, humanUs);
                int vel = baseVel + (strong ? 8 : 0) + (int) (6 * mel.nextGaussian());
                sc.note(t, LEAD, key, vel, Math.round(lenSteps * stepUs * 0.92));
            }
        }
        return sc;
    }

    private static void setup(Score sc, int ch, int program, int volume, int pan) {
        sc.add(0, Score.CONTROL, ch, 121, 0);
        sc.add(0, Score.PROGRAM, ch, program, 0);
        sc.add(0, Score.CONTROL, ch, 7, volume);
        sc.add(0, Score.CONTROL, ch, 10, pan);
    }

    private static long swing(int step, Meter m, double stepUs, double swing) {
        long t = Math.round(step * stepUs);
        // In simple time the off-beat eighth (sub-beat 2 of 4) moves towards the triplet position.
        if (m.stepsPerBeat == 4 && step % 4 == 2) {
            t += Math.round(swing * stepUs * 2.0 / 3.0);
        }
        return t;
    }

    private static long jitter(Rng rng, double humanUs) {
        return Math.round(humanUs * 0.5 * rng.nextGaussian());
    }

    private static int[] chordTones(int[] scale, int deg, int key, boolean seventh, double valence, Rng rng) {
        int n = seventh ? 4 : 3;
        int[] t = new int[n + 1];
        for (int i = 0; i < n; i++) {
            int d = deg + 2 * i;
            t[i] = 60 + key + scale[d % 7] + 12 * (d / 7) - 12;
        }
        // Consonance: positive valence adds the 9th, negative a minor second or tritone above the root.
        if (valence > 0.25 && rng.nextDouble() < valence) {
            t[n] = t[0] + 14;
        } else if (valence < -0.25 && rng.nextDouble() < -valence) {
            t[n] = t[0] + (rng.nextDouble() < 0.5 ? 1 : 6);
        } else {
            t[n] = t[0] + 12;
        }
        return t;
    }

    private static void comp(Score sc, Song s, int[] chord, long barUs, long barLen, Meter m, double stepUs,
                             int baseVel, Rng rng, double humanUs) {
        int vel = baseVel - 12;
        switch (s.drums()) {
            case ONE_DROP, SAMBA, CHACHA -> {                    // off-beat skank
                for (int beat = 0; beat < m.beats; beat++) {
                    long t = barUs + Math.round((beat * m.stepsPerBeat + m.stepsPerBeat / 2) * stepUs);
                    for (int k : chord) {
                        sc.note(t + jitter(rng, humanUs), Composer.CHORDS, k, vel, Math.round(stepUs * 1.2));
                    }
                }
            }
            case NONE, JAZZ_RIDE, WALTZ -> {                     // sustained or oom-pah-pah
                if (m == Meter.THREE_FOUR && s.drums() == Styles.DrumFamily.WALTZ) {
                    for (int beat = 1; beat < 3; beat++) {
                        long t = barUs + Math.round(beat * m.stepsPerBeat * stepUs);
                        for (int k : chord) {
                            sc.note(t + jitter(rng, humanUs), Composer.CHORDS, k, vel, Math.round(stepUs * 3));
                        }
                    }
                } else {
                    for (int k : chord) {
                        sc.note(barUs + jitter(rng, humanUs), Composer.CHORDS, k, vel - 5, barLen - 30_000);
                    }
                }
            }
            default -> {                                          // strums on the beats
                for (int beat = 0; beat < m.beats; beat++) {
                    long t = barUs + Math.round(beat * m.stepsPerBeat * stepUs);
                    for (int i = 0; i < chord.length; i++) {
                        sc.note(t + 6000L * i + jitter(rng, humanUs), Composer.CHORDS, chord[i], vel,
                                Math.round(m.stepsPerBeat * stepUs * 0.85));
                    }
                }
            }
        }
    }

    private static void bass(Score sc, Song s, int root, int[] scale, int deg, long barUs, Meter m, double stepUs,
                             int baseVel, Rng rng, double humanUs) {
        int spb = m.stepsPerBeat;
        int vel = baseVel;
        for (int beat = 0; beat < m.beats; beat++) {
            long t = barUs + Math.round(beat * spb * stepUs) + jitter(rng, humanUs);
            long beatLen = Math.round(spb * stepUs);
            switch (s.bass()) {
                case ROOT -> sc.note(t, BASS, root, vel, Math.round(beatLen * 0.9));
                case ROOT_FIFTH -> sc.note(t, BASS, beat % 2 == 0 ? root : root + 7, vel, Math.round(beatLen * 0.9));
                case WALKING -> {
                    int d = deg + beat;
                    sc.note(t, BASS, root - scale[deg] + scale[d % 7] + 12 * (d / 7), vel, Math.round(beatLen * 0.95));
                }
                case SYNCOPATED -> {
                    if (beat % 2 == 0) {
                        sc.note(t, BASS, root, vel, Math.round(beatLen * 0.6));
                    }
                    sc.note(t + Math.round(beatLen * (beat % 2 == 0 ? 0.75 : 0.5)), BASS,
                            beat == m.beats - 1 ? root + 7 : root, vel - 10, Math.round(beatLen * 0.4));
                }
                case PEDAL -> {
                    if (beat == 0) {
                        sc.note(t, BASS, root, vel, Math.round(m.beats * beatLen * 0.95));
                    }
                }
                case OCTAVE -> {
                    sc.note(t, BASS, root, vel, Math.round(beatLen * 0.45));
                    sc.note(t + beatLen / 2, BASS, root + 12, vel - 8, Math.round(beatLen * 0.45));
                }
            }
        }
    }

    // Step distribution depends on the last two steps: continue a run, turn after a leap, mostly steps.
    private static int markovStep(int p1, int p2, Rng r) {
        double u = r.nextDouble();
        if (Math.abs(p1) >= 3) {                                  // after a leap, step back
            return u < 0.7 ? -Integer.signum(p1) : (u < 0.85 ? 0 : Integer.signum(p1));
        }
        if (p1 != 0 && p1 == p2) {                                // a run: continue or stop
            return u < 0.5 ? p1 : (u < 0.75 ? 0 : -p1);
        }
        if (u < 0.15) {
            return 0;
        }
        if (u < 0.65) {
            return r.nextDouble() < 0.5 ? 1 : -1;
        }
        if (u < 0.88) {
            return r.nextDouble() < 0.5 ? 2 : -2;
        }
        return (r.nextDouble() < 0.5 ? 1 : -1) * (3 + r.nextInt(3));
    }

    private static int degreeToKey(int degree, int[] scale, int key, int center) {
        int oct = Math.floorDiv(degree, 7);
        int d = Math.floorMod(degree, 7);
        int base = center - Math.floorMod(center - key, 12);     // the key's tonic at or below center
        return base + 12 * oct + scale[d];
    }
}
