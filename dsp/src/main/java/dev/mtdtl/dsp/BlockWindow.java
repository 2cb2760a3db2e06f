package dev.mtdtl.dsp;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A compressed file (MP3, FLAC, Ogg Vorbis) read by window in bounded memory: its decoder ({@link PcmBlocks}) runs
 * forward only as far as a read needs, and the frames before the read are dropped. Its length is learnt when a pass
 * reaches the stream's end (a frame count in a header can be missing or wrong, the decoders' is not):
 * {@link #framesKnown} says whether it has, {@link #reach} lets a reader go forward before it has (so
 * {@link DbMelStream}'s maximum pass also counts the frames: a long file is decoded twice in all, once if its frames
 * are kept), and {@link #frames} decodes to the end when asked first. A read that goes back decodes the file again
 * from its start; the samples are not kept (a reader that needs a file more than once keeps what it computed from
 * them, as {@link DbMelStream} keeps its frames, a quarter of a 44.1 kHz stereo file's samples), so the memory is the
 * same for any length.
 *
 * <p>The samples are those of the whole-file decode bit for bit: the same decoder, pulled the same way; a read waits
 * for frames its decoder has made final ({@link PcmBlocks#stable}). At most the first two channels are read (the
 * engine's channel rule, {@link Audio#toStereo}).
 */
final class BlockWindow implements AudioWindow {

    /**
     * Opens the file's decoder at its first block, its length bounded by {@code maxFrames}; {@code again} for a pass
     * after the first (a decoder that warns of what it skips, {@link Mp3Reader}, has said it on the first).
     */
    @FunctionalInterface
    interface Opener {
        PcmBlocks open(long maxFrames, boolean again) throws IOException;
    }

    /** Frames a decoder may add past a read's end in its last block: an MP3 frame pair, a Vorbis overhang. */
    private static final int SLACK = 4608 + OggEnd.MAX_OVERHANG;

    /** The longest stream read by window: the frame index is an int. */
    static final long MAX_FRAMES = Integer.MAX_VALUE - (1 << 16);

    private final Path file;
    private final Opener opener;
    private final int channels;
    private final int rate;
    private int frames = -1;         // known once a pass has reached the stream's end
    private PcmBlocks blocks;        // the decoder of the current pass; null once closed

    private BlockWindow(Path file, Opener opener, PcmBlocks blocks) {
        this.file = file;
        this.opener = opener;
        this.blocks = blocks;
        this.channels = Math.min(2, blocks.channels());
        this.rate = blocks.sampleRate();
    }

    /**
     * Opens a file at its first block. Nothing past the headers is decoded yet: a file that turns out damaged or empty
     * is refused by the read (or {@link #frames}) that reaches the fault.
     */
    static BlockWindow open(Path file, Opener opener) throws IOException {
        return new BlockWindow(file, opener, opener.open(MAX_FRAMES, false));
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int sampleRate() {
        return rate;
    }

    /**
     * The stream's frames. Asked before a pass has reached the end, it decodes the rest of the file, dropping the
     * samples (a later read decodes it again).
     */
    @Override
    public int frames() throws IOException {
        if (frames < 0) {
            PcmBuffer buf = blocks.buffer();
            while (blocks.next()) {
                buf.discard(blocks.stable());
            }
            ended();
        }
        return frames;
    }

    @Override
    public boolean framesKnown() {
        return frames >= 0;
    }

    @Override
    public float[] read(int from, int count) throws IOException {
        checkRange(from, count);
        float[] out = new float[channels * count];
        if (count > 0) {
            decodeTo(from, count).copy(from, count, channels, out);
        }
        return out;
    }

    @Override
    public Span span(int from, int count) throws IOException {
        checkRange(from, count);
        if (count == 0) {
            return new Span(new float[0], new int[channels]);
        }
        PcmBuffer buf = decodeTo(from, count);
        int[] off = new int[channels];
        for (int c = 0; c < channels; c++) {
            off[c] = buf.offset(c, from);
        }
        return new Span(buf.array(), off);
    }

    /** The end of the range checked once the length is known (by {@link #decodeTo} before). */
    private void checkRange(int from, int count) {
        if (from < 0 || count < 0 || (frames >= 0 && (long) from + count > frames)) {
            throw outside(from, (long) from + count);
        }
    }

    private IllegalArgumentException outside(long from, long to) {
        return new IllegalArgumentException(file + ": frames [" + from + ", " + to + ") outside [0, "
                + (frames >= 0 ? frames : "?") + ")");
    }

    /** The buffer once it holds frames [from, from + count) final (count > 0). */
    private PcmBuffer decodeTo(int from, int count) throws IOException {
        long to = (long) from + count;
        if (reach(from, to) < to) {
            throw outside(from, to);
        }
        return blocks.buffer();
    }

    /**
     * Decodes until frames [from, to) are final or the stream has ended, dropping the frames before {@code from}; a
     * {@code from} behind what is held starts a new pass from the file's start. Returns {@code to}, or the stream's
     * length when that is smaller (the stream has ended).
     */
    @Override
    public long reach(long from, long to) throws IOException {
        PcmBuffer buf = blocks.buffer();
        if (from < buf.base()) {   // back to the start: a new pass
            blocks.close();
            blocks = null;
            blocks = opener.open(MAX_FRAMES, true);
            buf = blocks.buffer();
        }
        // the frames before the read are dropped, and the rest of the read gets its room at once (growing by halves
        // would hold the old and the new array together, 2.5 times the window; a range past 2^24 frames grows so)
        buf.discard(Math.min(from, blocks.stable()));
        buf.ensure((int) Math.min(1 << 24, to - from) + SLACK);
        while (blocks.stable() < to) {
            if (!blocks.next()) {
                ended();
                break;
            }
            if (from > buf.base()) {
                buf.discard(Math.min(from, blocks.stable()));   // what no later read needs, before it piles up
            }
        }
        return Math.min(to, blocks.stable());
    }

    /** The current pass has reached the stream's end: the first learns its length, a later one must find it again. */
    private void ended() throws AudioDecodeException {
        long n = blocks.stable();
        if (frames < 0) {
            frames = (int) PcmBlocks.requireFrames(file, n);
        } else if (n != frames) {
            throw new AudioDecodeException(file, "decoded " + n + " frames on reading again, " + frames
                    + " the first time");
        }
    }

    @Override
    public void close() throws IOException {
        if (blocks != null) {
            blocks.close();
            blocks = null;
        }
    }
}
