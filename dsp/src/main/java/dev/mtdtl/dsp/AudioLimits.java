package dev.mtdtl.dsp;

import java.nio.file.Path;

/**
 * The audio the engine accepts, checked by every decoder on the header's numbers before anything is
 * allocated, so that a hostile or corrupt header (2,147,483,647 Hz, 65,535 channels, a data chunk of
 * terabytes) is an error naming the file rather than an overflow, an absurd resampling or an
 * out-of-memory.
 *
 * <ul>
 *   <li>Sample rate: 8,000 to 384,000 Hz. 8 kHz is the lowest rate in common use (telephony); below it
 *       the front end's 22,050 Hz would be invented by upsampling (a 1 Hz header turned 4 samples into
 *       86,133 frames). 384 kHz is the highest rate of studio converters; above it a header is corrupt.</li>
 *   <li>Channels: 1 to 32 (mono, stereo, surround up to 22.2 and small ambisonic orders). The engine keeps
 *       the first two ({@link Audio#toStereo}); a header announcing more is treated as corrupt.</li>
 *   <li>Duration: at least one sample frame, at most 30 minutes ({@link #MAX_SECONDS}); and the decoded
 *       samples of all channels together at most 2^28 (1 GiB of float32), which bounds the decoder's
 *       memory whatever the rate and channel count. A track is a song: a 30-minute ceiling covers long
 *       classical movements and keeps one decode within a default JVM heap.</li>
 * </ul>
 */
public final class AudioLimits {

    public static final int MIN_RATE = 8_000;
    public static final int MAX_RATE = 384_000;
    public static final int MAX_CHANNELS = 32;
    public static final int MAX_SECONDS = 30 * 60;
    /** Decoded samples over all channels (float32: 1 GiB). */
    public static final long MAX_SAMPLES = 1L << 28;

    private AudioLimits() {}

    /** Throws naming {@code file} unless the rate and channel count are in range. */
    public static void checkFormat(Path file, double rate, long channels) throws AudioDecodeException {
        if (!(rate >= MIN_RATE && rate <= MAX_RATE)) {
            throw new AudioDecodeException(file, "unsupported sample rate " + fmt(rate) + " Hz (accepted: " + MIN_RATE
                    + " to " + MAX_RATE + " Hz)");
        }
        if (rate != Math.rint(rate)) {
            throw new AudioDecodeException(file, "unsupported sample rate " + rate + " Hz (not a whole number)");
        }
        if (channels < 1 || channels > MAX_CHANNELS) {
            throw new AudioDecodeException(file, "unsupported channel count " + channels + " (accepted: 1 to "
                    + MAX_CHANNELS + ")");
        }
    }

    /** The most sample frames a file at {@code rate} with {@code channels} may hold. */
    public static long maxFrames(int rate, int channels) {
        return Math.min((long) rate * MAX_SECONDS, MAX_SAMPLES / channels);
    }

    /** Throws naming {@code file} if {@code frames} exceeds {@link #maxFrames}. */
    public static void checkFrames(Path file, long frames, int rate, int channels) throws AudioDecodeException {
        if (frames > maxFrames(rate, channels)) {
            throw new AudioDecodeException(file, tooLong(Long.toString(frames), rate, channels));
        }
    }

    /** The error of a stream that decodes past {@link #maxFrames} (its true length is not known). */
    public static AudioDecodeException tooLongStream(Path file, int rate, int channels) {
        return new AudioDecodeException(file, tooLong("more than " + maxFrames(rate, channels), rate, channels));
    }

    /**
     * The error of a stream that decodes past {@code max} frames: {@link #tooLongStream(Path, int, int)} when that is
     * {@link #maxFrames}, else the bound of a streaming reader (whose memory does not grow with the length).
     */
    public static AudioDecodeException tooLongStream(Path file, int rate, int channels, long max) {
        return max == maxFrames(rate, channels) ? tooLongStream(file, rate, channels)
                : new AudioDecodeException(file, "too long: more than " + max + " sample frames (the most a stream reads)");
    }

    private static String tooLong(String frames, int rate, int channels) {
        return String.format(java.util.Locale.ROOT, "too long: %s sample frames at %d Hz with %d channel(s); accepted: "
                + "at most %d s and %d samples over all channels", frames, rate, channels, MAX_SECONDS, MAX_SAMPLES);
    }

    private static String fmt(double r) {
        return r == Math.rint(r) && Math.abs(r) < 1e15 ? Long.toString((long) r) : Double.toString(r);
    }
}
