package dev.mtdtl.dsp;

/**
 * One FLAC frame at a time, for {@link FlacReader} (RFC 9639, section 9): header, subframes, decorrelation, CRCs.
 * The decoded block stays in this object's channel arrays ({@link #channel}) until the next frame; nothing is
 * allocated per frame once the arrays have grown to the stream's largest block.
 *
 * <p>Arithmetic: samples of up to 32 bits, so a side channel (one bit more) and a prediction's sum of up to 32
 * products of a 32-bit sample and a 15-bit coefficient are done in long; the results are the encoder's integers
 * whenever the stream is valid (the format guarantees they fit the stream's depth).
 */
final class FlacFrame {

    /** A frame that does not parse, uses a reserved code or fails its CRC. */
    static final class Bad extends Exception {
        Bad(String m) {
            super(m, null, false, false);
        }
    }

    private static final int[] RATES = {0, 88200, 176400, 192000, 8000, 16000, 22050, 24000, 32000, 44100, 48000,
        96000};
    private static final int[] DEPTHS = {0, 8, 12, -1, 16, 20, 24, 32};

    private byte[] b;
    private int end;          // bytes of b that hold data
    private final int streamRate;
    private final int streamChannels;
    private final int streamBits;
    private int[][] ch = new int[8][0];   // (channel, block) decoded samples
    private long[] wide = new long[0];    // a side channel before it is combined: depth + 1 bits
    private int block;
    private boolean variable;   // the last frame's blocking strategy: variable block sizes (its number counts samples)
    private long number;        // the last frame's coded frame or sample number
    private final int[] coef = new int[32];   // an LPC subframe's coefficients (order <= 32)

    FlacFrame(byte[] b, int end, int streamRate, int streamChannels, int streamBits) {
        this.b = b;
        this.end = end;
        this.streamRate = streamRate;
        this.streamChannels = streamChannels;
        this.streamBits = streamBits;
    }

    /** Frames are read from {@code b[0, end)} from now on (a streaming reader's window, moved or refilled). */
    void data(byte[] b, int end) {
        this.b = b;
        this.end = end;
    }

    int blockSize() {
        return block;
    }

    /**
     * The last frame's first sample: its coded number, which is that sample's number in a variable-blocksize stream
     * and the frame's number in a fixed-blocksize one (times the stream's block size, {@code fixedBlock}).
     */
    long firstSample(int fixedBlock) {
        return variable ? number : number * fixedBlock;
    }

    /** Samples of channel c of the last frame, [0, {@link #blockSize}). */
    int[] channel(int c) {
        return ch[c];
    }

    /** Decodes the frame at byte {@code pos}; returns the byte after it. */
    int decode(int pos) throws Bad {
        // a reader per frame (one small object for ~4,096 samples): one reader moved from frame to frame decoded
        // 3-5 % slower (one JVM, the two alternating)
        FlacBits in = new FlacBits(b, pos, end);
        // header (section 9.1): sync 0b11111111111110, reserved 0, blocking strategy
        if (in.bits(14) != 0x3FFE) {
            throw new Bad("no frame sync code");
        }
        if (in.bits(1) != 0) {
            throw new Bad("reserved header bit set");
        }
        variable = in.bits(1) == 1;
        int bsCode = in.bits(4);
        int rateCode = in.bits(4);
        int assign = in.bits(4);
        int depthCode = in.bits(3);
        if (in.bits(1) != 0) {
            throw new Bad("reserved header bit set");
        }
        number = codedNumber(in);
        if (bsCode == 0) {
            throw new Bad("reserved block size code 0");
        }
        block = bsCode == 1 ? 192 : bsCode <= 5 ? 576 << (bsCode - 2) : bsCode == 6 ? in.bits(8) + 1
                : bsCode == 7 ? in.bits(16) + 1 : 256 << (bsCode - 8);
        int rate = rateCode == 0 ? streamRate : rateCode < 12 ? RATES[rateCode] : rateCode == 12 ? in.bits(8) * 1000
                : rateCode == 13 ? in.bits(16) : rateCode == 14 ? in.bits(16) * 10 : -1;
        if (rate < 0) {
            throw new Bad("invalid sample rate code 15");
        }
        if (rate != streamRate) {
            throw new Bad("sample rate " + rate + " Hz in a stream of " + streamRate + " Hz");
        }
        if (assign > 10) {
            throw new Bad("reserved channel assignment " + assign);
        }
        int channels = assign < 8 ? assign + 1 : 2;
        if (channels != streamChannels) {
            throw new Bad(channels + " channels in a stream of " + streamChannels);
        }
        int depth = depthCode == 0 ? streamBits : DEPTHS[depthCode];
        if (depth < 0) {
            throw new Bad("reserved sample size code 3");
        }
        if (depth != streamBits) {
            throw new Bad(depth + "-bit samples in a " + streamBits + "-bit stream");
        }
        int headerEnd = in.bytePos();
        if (in.bits(8) != FlacBits.crc8(b, pos, headerEnd)) {
            throw new Bad("header CRC-8 mismatch");
        }
        for (int c = 0; c < channels; c++) {
            if (ch[c].length < block) {
                ch[c] = new int[block];
            }
        }
        // subframes; the side channel of a stereo pair has one bit more (section 9.2)
        int side = assign == 8 || assign == 10 ? 1 : assign == 9 ? 0 : -1;
        for (int c = 0; c < channels; c++) {
            if (c == side) {
                if (wide.length < block) {
                    wide = new long[block];
                }
                subframe(in, depth + 1, null, wide);
            } else {
                subframe(in, depth, ch[c], null);
            }
        }
        decorrelate(assign);
        in.align();
        int end = in.bytePos();
        if (in.bits(16) != FlacBits.crc16(b, pos, end)) {
            throw new Bad("frame CRC-16 mismatch");
        }
        return end + 2;
    }

    /**
     * The frame or sample number, UTF-8-like (section 9.1.5): up to 7 bytes, the first holding the length in its
     * leading ones and the top bits, each other 6 more bits under a 10 prefix.
     */
    private static long codedNumber(FlacBits in) throws Bad {
        int first = in.bits(8);
        int more = first < 0x80 ? 0 : first < 0xC0 ? -1 : first < 0xE0 ? 1 : first < 0xF0 ? 2 : first < 0xF8 ? 3
                : first < 0xFC ? 4 : first < 0xFE ? 5 : first == 0xFE ? 6 : -1;
        if (more < 0) {
            throw new Bad("invalid coded frame number");
        }
        long v = first & (more == 0 ? 0x7F : 0x7F >> (more + 1));   // 0xxxxxxx: 7 bits; 110xxxxx: 5; ... 11111110: 0
        for (int i = 0; i < more; i++) {
            int c = in.bits(8);
            if ((c & 0xC0) != 0x80) {
                throw new Bad("invalid coded frame number");
            }
            v = v << 6 | c & 0x3F;
        }
        return v;
    }

    /**
     * One subframe of {@code bits} bits a sample into {@code out} (int) or {@code wideOut} (long, the side channel).
     * Header (section 9.2.1): a zero bit, 6 bits of type, a wasted-bits flag and its unary count.
     */
    private void subframe(FlacBits in, int bits, int[] out, long[] wideOut) throws Bad {
        if (in.bits(1) != 0) {
            throw new Bad("subframe padding bit set");
        }
        int type = in.bits(6);
        int wasted = in.bits(1) == 1 ? in.unary() + 1 : 0;
        if (wasted >= bits) {
            throw new Bad(wasted + " wasted bits in " + bits + "-bit samples");
        }
        int w = bits - wasted;
        long[] s = scratch();
        if (type == 0) {                               // CONSTANT
            long v = signed(in, w);
            java.util.Arrays.fill(s, 0, block, v);
        } else if (type == 1) {                        // VERBATIM
            for (int i = 0; i < block; i++) {
                s[i] = signed(in, w);
            }
        } else if (type >= 8 && type <= 12) {          // FIXED, order type - 8
            int order = type - 8;
            warmUp(in, s, order, w);
            residual(in, s, order);
            fixed(s, order);
        } else if (type >= 32) {                       // LPC, order type - 31
            int order = type - 31;
            warmUp(in, s, order, w);
            int precision = in.bits(4) + 1;
            if (precision == 16) {
                throw new Bad("invalid LPC coefficient precision");
            }
            int shift = in.signed(5);
            if (shift < 0) {
                throw new Bad("negative LPC shift " + shift);
            }
            for (int j = 0; j < order; j++) {
                coef[j] = in.signed(precision);
            }
            residual(in, s, order);
            lpc(s, order, coef, shift);
        } else {
            throw new Bad("reserved subframe type " + type);
        }
        if (out != null) {
            for (int i = 0; i < block; i++) {
                out[i] = (int) (s[i] << wasted);
            }
        } else {
            for (int i = 0; i < block; i++) {
                wideOut[i] = s[i] << wasted;
            }
        }
    }

    private long[] sub = new long[0];

    private long[] scratch() {
        if (sub.length < block) {
            sub = new long[block];
        }
        return sub;
    }

    private static long signed(FlacBits in, int n) {
        return n <= 32 ? in.signed(n) : (long) in.signed(n - 32) << 32 | in.bits(32) & 0xFFFFFFFFL;
    }

    private void warmUp(FlacBits in, long[] s, int order, int w) throws Bad {
        if (order > block) {
            throw new Bad("predictor order " + order + " above the block size " + block);
        }
        for (int i = 0; i < order; i++) {
            s[i] = signed(in, w);
        }
    }

    private int[] res = new int[0];

    /** The residual (section 9.2.7) into s[order, block), before prediction. */
    private void residual(FlacBits in, long[] s, int order) throws Bad {
        int method = in.bits(2);
        if (method > 1) {
            throw new Bad("reserved residual coding method " + method);
        }
        int paramBits = method == 0 ? 4 : 5;
        int escape = (1 << paramBits) - 1;
        int partitionOrder = in.bits(4);
        int parts = 1 << partitionOrder;
        if ((block & (parts - 1)) != 0 || (block >> partitionOrder) < order) {
            throw new Bad("partition order " + partitionOrder + " does not fit a block of " + block);
        }
        if (res.length < block) {
            res = new int[block];
        }
        int at = order;
        for (int p = 0; p < parts; p++) {
            int n = (block >> partitionOrder) - (p == 0 ? order : 0);
            int k = in.bits(paramBits);
            if (k == escape) {
                int raw = in.bits(5);
                for (int i = at; i < at + n; i++) {
                    res[i] = raw == 0 ? 0 : in.signed(raw);
                }
            } else {
                in.rice(res, at, n, k);
            }
            at += n;
        }
        // Decoded into ints, then widened here: Rice codes straight into the long array decoded 5-10 % slower
        // (one JVM, the two alternating; the widening loop is vectorised, the Rice loop's long stores are not cheaper)
        for (int i = order; i < block; i++) {
            s[i] = res[i];
        }
    }

    /** FIXED predictors (section 9.2.5): differences of order 0-4 undone, in place. */
    private void fixed(long[] s, int order) {
        int n = block;
        switch (order) {
            case 1 -> {
                for (int i = 1; i < n; i++) {
                    s[i] += s[i - 1];
                }
            }
            case 2 -> {
                for (int i = 2; i < n; i++) {
                    s[i] += 2 * s[i - 1] - s[i - 2];
                }
            }
            case 3 -> {
                for (int i = 3; i < n; i++) {
                    s[i] += 3 * s[i - 1] - 3 * s[i - 2] + s[i - 3];
                }
            }
            case 4 -> {
                for (int i = 4; i < n; i++) {
                    s[i] += 4 * s[i - 1] - 6 * s[i - 2] + 4 * s[i - 3] - s[i - 4];
                }
            }
            default -> { }   // order 0: the residual is the signal
        }
    }

    /** LPC (section 9.2.6): s[i] += (sum_j coef[j] s[i-1-j]) >> shift, in place. */
    private void lpc(long[] s, int order, int[] coef, int shift) {
        if (order <= 12) {
            // orders up to 12 (flac -8's largest; -5 and ffmpeg's default stop at 8): the coefficients in locals,
            // zero past the order, one expression a sample; the same sum, the terms' order aside, which integer
            // addition does not see (1.2x the decoding speed of a 30 s file)
            long c0 = coef[0];
            long c1 = order > 1 ? coef[1] : 0;
            long c2 = order > 2 ? coef[2] : 0;
            long c3 = order > 3 ? coef[3] : 0;
            long c4 = order > 4 ? coef[4] : 0;
            long c5 = order > 5 ? coef[5] : 0;
            long c6 = order > 6 ? coef[6] : 0;
            long c7 = order > 7 ? coef[7] : 0;
            long c8 = order > 8 ? coef[8] : 0;
            long c9 = order > 9 ? coef[9] : 0;
            long c10 = order > 10 ? coef[10] : 0;
            long c11 = order > 11 ? coef[11] : 0;
            int i = order;
            for (; i < block && i < 12; i++) {
                long sum = 0;
                for (int j = 0; j < order; j++) {
                    sum += coef[j] * s[i - 1 - j];
                }
                s[i] += sum >> shift;
            }
            for (; i < block; i++) {
                long sum = c11 * s[i - 12] + c10 * s[i - 11] + c9 * s[i - 10] + c8 * s[i - 9] + c7 * s[i - 8]
                        + c6 * s[i - 7] + c5 * s[i - 6] + c4 * s[i - 5] + c3 * s[i - 4] + c2 * s[i - 3]
                        + c1 * s[i - 2] + c0 * s[i - 1];
                s[i] += sum >> shift;
            }
            return;
        }
        for (int i = order; i < block; i++) {
            long sum = 0;
            for (int j = 0; j < order; j++) {
                sum += coef[j] * s[i - 1 - j];
            }
            s[i] += sum >> shift;
        }
    }

    /** Stereo decorrelation (section 9.1.3): the side channel is in {@link #wide}. */
    private void decorrelate(int assign) {
        int[] l = ch[0];
        int[] r = ch[1];
        switch (assign) {
            case 8 -> {                    // left, side = left - right
                for (int i = 0; i < block; i++) {
                    r[i] = (int) (l[i] - wide[i]);
                }
            }
            case 9 -> {                    // side, right
                for (int i = 0; i < block; i++) {
                    l[i] = (int) (wide[i] + r[i]);
                }
            }
            case 10 -> {                   // mid = (left + right) >> 1, side = left - right
                for (int i = 0; i < block; i++) {
                    long mid = (long) l[i] << 1 | (wide[i] & 1);
                    l[i] = (int) ((mid + wide[i]) >> 1);
                    r[i] = (int) ((mid - wide[i]) >> 1);
                }
            }
            default -> { }                 // independent channels
        }
    }
}
