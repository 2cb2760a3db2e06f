package dev.mtdtl.dsp;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A compressed file (MP3, FLAC, Ogg Vorbis) read by window in bounded memory: its decoder ({@link PcmBlocks}) runs forward
 * only as far as a read needs, and the frames before the read are dropped. Opening decodes the file once to learn its
 * length ({@link #frames}: a frame count in a header can be missing or wrong, the decoders' is not); a file short
 * enough ({@code keepSeconds}, or {@code keepBytes} of decoded floats: {@link DbMelStream} keeps 47.5 s or an eighth of
 * the heap) keeps that pass's samples and is never decoded again; a longer one is decoded again from its start
 * whenever a read goes back (so {@link DbMelStream}, whose maximum pass and read pass each run forward, decodes it
 * three times in all, its memory the same for any length).
 *
 * <p>The samples are those of the whole-file decode bit for bit: the same decoder, pulled the same way; a read waits
 * for frames its decoder has made final ({@link PcmBlocks#stable}). At most the first two channels are read (the
 * engine's channel rule, {@link Audio#toStereo}).
 */
final class BlockWindow implements AudioWindow {

    /**
     * Opens the file's decoder at its first block, its length bounded by {@code maxFrames}, its buffer sized for what
     * it may {@code keep} at first (a file kept whole is then not copied each time its buffer grows by half).
     */
    @FunctionalInterface
    interface Opener {
        PcmBlocks open(long maxFrames, Keep keep) throws IOException;
    }

    /** What the counting pass keeps: a file that lasts at most {@code seconds} or takes at most {@code bytes}. */
    record Keep(double seconds, long bytes) {

        /** Nothing: a pass that only goes forward. */
        static final Keep NONE = new Keep(0, 0);

        /** Frames kept of a stream at {@code rate} Hz with {@code channels} channels (float32). */
        long frames(int rate, int channels) {
            return Math.max((long) (seconds * rate), bytes / (4L * channels));
        }
    }

    /** Frames a decoder may add past a read's end in its last block: an MP3 frame pair, a Vorbis overhang. */
    private static final int SLACK = 4608 + OggEnd.MAX_OVERHANG;

    /** The longest stream read by window: the frame index is an int. */
    static final long MAX_FRAMES = Integer.MAX_VALUE - (1 << 16);

    private final Path file;
    private final Opener opener;
    private final int channels;
    private final int rate;
    private final int frames;
    private PcmBlocks blocks;   // the decoder of the current pass; null once closed

    private BlockWindow(Path file, Opener opener, PcmBlocks blocks, int frames) {
        this.file = file;
        this.opener = opener;
        this.blocks = blocks;
        this.channels = Math.min(2, blocks.channels());
        this.rate = blocks.sampleRate();
        this.frames = frames;
    }

    /**
     * Opens a file: one pass over it counts its frames, keeping the samples when they last at most {@code keepSeconds}
     * or take at most {@code keepBytes} (float32, every channel the decoder gives).
     */
    static BlockWindow open(Path file, Opener opener, double keepSeconds, long keepBytes) throws IOException {
        Keep keep = new Keep(keepSeconds, keepBytes);
        PcmBlocks b = opener.open(MAX_FRAMES, keep);
        try {
            long keepFrames = keep.frames(b.sampleRate(), b.channels());
            PcmBuffer buf = b.buffer();
            while (b.next()) {
                if (buf.end() > keepFrames) {
                    buf.discard(b.stable());   // a long file: only its length is kept from this pass
                }
            }
            long n = PcmBlocks.requireFrames(file, buf.end());
            BlockWindow w = new BlockWindow(file, opener, b, (int) n);
            b = null;
            return w;
        } finally {
            if (b != null) {
                b.close();
            }
        }
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int sampleRate() {
        return rate;
    }

    @Override
    public int frames() {
        return frames;
    }

    /** Whether the samples of the counting pass are all held (a file short enough to keep). */
    boolean kept() {
        return blocks.buffer().base() == 0 && blocks.buffer().end() == frames;
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

    private void checkRange(int from, int count) {
        if (from < 0 || count < 0 || (long) from + count > frames) {
            throw new IllegalArgumentException(file + ": frames [" + from + ", " + ((long) from + count)
                    + ") outside [0, " + frames + ")");
        }
    }

    /** The buffer once it holds frames [from, from + count) final (count > 0, within the file). */
    private PcmBuffer decodeTo(int from, int count) throws IOException {
        PcmBuffer buf = blocks.buffer();
        if (from < buf.base()) {   // back to the start: a new pass
            blocks.close();
            blocks = null;
            blocks = opener.open(MAX_FRAMES, Keep.NONE);
            buf = blocks.buffer();
        }
        long to = (long) from + count;
        if (!kept()) {
            // the frames before the read are dropped, and the rest of the read gets its room at once (growing by
            // halves would hold the old and the new array together, 2.5 times the window)
            buf.discard(Math.min(from, blocks.stable()));
            buf.ensure(count + SLACK);
        }
        while (blocks.stable() < to) {
            if (!blocks.next() && blocks.stable() < to) {
                throw new AudioDecodeException(file, "decoded " + blocks.stable() + " frames on reading again, "
                        + frames + " the first time");
            }
            if (from > buf.base() && !kept()) {
                buf.discard(Math.min(from, blocks.stable()));   // what no later read needs, before it piles up
            }
        }
        return buf;
    }

    @Override
    public void close() throws IOException {
        if (blocks != null) {
            blocks.close();
            blocks = null;
        }
    }
}
