package dev.mtdtl.dsp;

/**
 * Settings of the dB-mel front end. {@link #paper()} is decision 1 of the reference digest (the
 * librosa-0.6 behaviour of the authors' code): 22050 Hz, nFft 1024, hop 256, reflect-padded centred
 * STFT, power spectrum, 128 Slaney bands over 0-11025 Hz with area normalisation,
 * {@code 10 log10(max(S, 1e-10))}, top_db 80 over the whole stereo file.
 *
 * @param power 2 for the power spectrum (paper), 1 for magnitude (then dB is 20 log10).
 * @param amin  floor inside the log (librosa: 1e-10 for power_to_db, 1e-5 for amplitude_to_db).
 * @param topDb dynamic range kept below the file's maximum; {@code Double.POSITIVE_INFINITY} = no clip.
 */
public record MelConfig(int sampleRate, int nFft, int hop, int nMels, double fmin, double fmax,
                        Stft.PadMode padMode, MelFilterbank.Scale scale, boolean slaneyNorm,
                        int power, double amin, double topDb) {

    public MelConfig {
        if (power != 1 && power != 2) {
            throw new IllegalArgumentException("power must be 1 or 2, got " + power);
        }
        if (!(amin > 0) || !(topDb >= 0)) {
            throw new IllegalArgumentException("amin must be > 0 and topDb >= 0: " + amin + ", " + topDb);
        }
    }

    /** The paper's settings (see the class comment). */
    public static MelConfig paper() {
        return new MelConfig(22050, 1024, 256, 128, 0.0, 11025.0, Stft.PadMode.REFLECT,
                MelFilterbank.Scale.SLANEY, true, 2, 1e-10, 80.0);
    }

    public MelConfig withPadMode(Stft.PadMode p) {
        return new MelConfig(sampleRate, nFft, hop, nMels, fmin, fmax, p, scale, slaneyNorm, power, amin, topDb);
    }

    public MelConfig withScale(MelFilterbank.Scale s) {
        return new MelConfig(sampleRate, nFft, hop, nMels, fmin, fmax, padMode, s, slaneyNorm, power, amin, topDb);
    }

    /** Magnitude (1) or power (2) spectrum, with librosa's matching amin (1e-5 or 1e-10). */
    public MelConfig withPower(int p) {
        return new MelConfig(sampleRate, nFft, hop, nMels, fmin, fmax, padMode, scale, slaneyNorm, p,
                p == 1 ? 1e-5 : 1e-10, topDb);
    }

    public MelConfig withTopDb(double t) {
        return new MelConfig(sampleRate, nFft, hop, nMels, fmin, fmax, padMode, scale, slaneyNorm, power, amin, t);
    }

    /** The filterbank these settings describe. */
    public MelFilterbank filterbank() {
        return new MelFilterbank(sampleRate, nFft, nMels, fmin, fmax, scale, slaneyNorm);
    }
}
