package dev.mtdtl.data.synth;

import dev.mtdtl.tensor.Rng;

/**
 * Post-production settings of one track and the cheap DSP chain that applies them to the rendered
 * stereo audio: a one-pole-cascade low-pass (recording bandwidth), a shelving tilt (brightness), stereo
 * width (mono before the mid-60s), a Schroeder reverb, a feed-forward compressor with make-up gain
 * (the "loudness war" after 1995), tape hiss and vinyl crackle. All of it seeded and single-threaded per
 * track, so the output is a pure function of (audio, settings, seed).
 *
 * <p>Reference: data-notes.md section 2, "Eras / production". The year drives the defaults; the artist
 * adds an offset (tilt, reverb) and every track some noise, so production is part of the signal, as in
 * real catalogues, but never a label by itself.
 *
 * <p>Omitted: real EQ curves and convolution reverbs, lossy-codec artefacts, multiband compression.
 */
public record Production(double lowpassHz, double tiltDb, double width, double reverb, double compRatio,
                         double noiseDb, double crackle, double levelDb) {

    /**
     * Typical settings of a recording year, with the artist's tilt and reverb offsets and track noise.
     * Energetic tracks ({@code arousal} near 1) are mastered brighter (+4 dB tilt) and louder (peak level
     * up to 7 dB higher): that, with tempo, density and drum intensity, is how arousal is heard.
     */
    public static Production of(int year, double artistTilt, double artistReverb, double arousal, Rng rng) {
        double t = Math.max(0, Math.min(1, (year - 1955) / 45.0));          // 0 in 1955, 1 from 2000
        double lp = 3800 * StrictMath.pow(10500 / 3800.0, t) * StrictMath.exp(0.12 * rng.nextGaussian());
        double width = year < 1966 ? 0.0 : Math.min(1, 0.5 + 0.5 * t + 0.1 * rng.nextGaussian());
        double comp = year < 1995 ? 1.5 + rng.nextDouble() : 2.5 + (year - 1995) * 0.25 + rng.nextDouble();
        double noise = year < 1980 ? -68 + 12 * (1 - t) + 3 * rng.nextGaussian() : -90;   // dBFS; music RMS is ~-22
        double crackle = year < 1972 ? 0.6 * (1 - t) * rng.nextDouble() : 0;
        double a01 = (Math.max(-1, Math.min(1, arousal)) + 1) / 2;
        return new Production(Math.min(10500, lp), artistTilt + 4 * arousal + 1.0 * rng.nextGaussian(),
                Math.max(0, width), Math.max(0, Math.min(0.6, artistReverb + 0.05 * rng.nextGaussian())), comp, noise,
                crackle, Math.min(-0.5, -1 - 7 * (1 - a01) + rng.nextGaussian()));
    }

    /** Settings drawn independently of any label (target tasks where production must carry nothing). */
    public static Production neutral(Rng rng) {
        return of(1960 + rng.nextInt(55), 2 * rng.nextGaussian(), 0.05 + 0.3 * rng.nextDouble(),
                World.clamp(0.5 * rng.nextGaussian()), rng);
    }

    /**
     * Apply the chain in place. x: planar stereo (2, n) at {@code rate} Hz, read and written. The peak is
     * normalised to {@code levelDb} at the end.
     */
    public void apply(float[] x, int n, int rate, long seed) {
        Rng rng = new Rng(seed);
        for (int c = 0; c < 2; c++) {
            lowpass(x, c * n, n, rate);
            tilt(x, c * n, n, rate);
        }
        // Width: mid/side scaling; width 0 is mono.
        for (int i = 0; i < n; i++) {
            float mid = 0.5f * (x[i] + x[n + i]);
            float side = 0.5f * (x[i] - x[n + i]) * (float) width;
            x[i] = mid + side;
            x[n + i] = mid - side;
        }
        if (reverb > 0.01) {
            Reverb.apply(x, n, rate, reverb);
        }
        compress(x, n, rate);
        if (noiseDb > -85 || crackle > 0) {
            // Hiss: a sum of two uniforms (triangular, variance 1/6, scaled to unit) is indistinguishable
            // from Gaussian hiss at this level and four times cheaper than Box-Muller.
            float amp = (float) (StrictMath.pow(10, noiseDb / 20) * Math.sqrt(6));
            double crackleRate = crackle * 8.0 / rate;                        // clicks per sample
            for (int i = 0; i < n; i++) {
                float h1 = amp * (rng.nextFloat() + rng.nextFloat() - 1f);
                float h2 = amp * (rng.nextFloat() + rng.nextFloat() - 1f);
                float click = crackleRate > 0 && rng.nextDouble() < crackleRate
                        ? (float) (0.3 * crackle * (rng.nextDouble() - 0.5)) : 0f;
                x[i] += h1 + click;
                x[n + i] += 0.7f * h1 + 0.7f * h2 + click;
            }
        }
        double peak = 1e-9;
        for (int i = 0; i < 2 * n; i++) {
            peak = Math.max(peak, Math.abs(x[i]));
        }
        float g = (float) (StrictMath.pow(10, levelDb / 20) / peak);
        for (int i = 0; i < 2 * n; i++) {
            x[i] *= g;
        }
    }

    // Two cascaded one-pole low-passes: ~12 dB/octave above the cutoff, like a band-limited medium.
    private void lowpass(float[] x, int off, int n, int rate) {
        if (lowpassHz >= rate * 0.45) {
            return;
        }
        double a = StrictMath.exp(-2 * Math.PI * lowpassHz / rate);
        double y1 = 0, y2 = 0;
        for (int i = 0; i < n; i++) {
            y1 = (1 - a) * x[off + i] + a * y1;
            y2 = (1 - a) * y1 + a * y2;
            x[off + i] = (float) y2;
        }
    }

    // High shelf around 2 kHz by splitting into low (one-pole) and high (residual) and reweighting.
    private void tilt(float[] x, int off, int n, int rate) {
        double gHigh = StrictMath.pow(10, tiltDb / 20);
        double a = StrictMath.exp(-2 * Math.PI * 2000.0 / rate);
        double lo = 0;
        for (int i = 0; i < n; i++) {
            lo = (1 - a) * x[off + i] + a * lo;
            double hi = x[off + i] - lo;
            x[off + i] = (float) (lo + gHigh * hi);
        }
    }

    // Feed-forward RMS compressor on the stereo sum, 5 ms attack, 120 ms release, threshold at -20 dB
    // of the track's peak, then make-up gain (the final normalisation).
    private void compress(float[] x, int n, int rate) {
        if (compRatio <= 1.05) {
            return;
        }
        double peak = 1e-9;
        for (int i = 0; i < 2 * n; i++) {
            peak = Math.max(peak, Math.abs(x[i]));
        }
        double thr = peak * 0.1;
        double att = StrictMath.exp(-1.0 / (0.005 * rate));
        double rel = StrictMath.exp(-1.0 / (0.120 * rate));
        double env = 0;
        double g = 1;
        for (int i = 0; i < n; i++) {
            double lvl = Math.max(Math.abs(x[i]), Math.abs(x[n + i]));
            env = lvl > env ? att * env + (1 - att) * lvl : rel * env + (1 - rel) * lvl;
            if ((i & 15) == 0) {                                  // gain curve every 16 samples (0.7 ms)
                g = env > thr ? StrictMath.pow(env / thr, 1 / compRatio - 1) : 1;
            }
            x[i] *= (float) g;
            x[n + i] *= (float) g;
        }
    }
}
