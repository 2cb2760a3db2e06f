package dev.mtdtl.dsp;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javazoom.jl.decoder.Bitstream;
import javazoom.jl.decoder.BitstreamException;
import javazoom.jl.decoder.Decoder;
import javazoom.jl.decoder.DecoderException;
import javazoom.jl.decoder.Header;
import javazoom.jl.decoder.Obuffer;

/**
 * MP3 (MPEG-1, -2 and 2.5 audio, layers I-III) by jlayer's frame decoder, driven here frame by frame.
 *
 * <p>Why not through mp3spi's {@code javax.sound} stream, as until 2026-12-07: that path decodes each frame into
 * jlayer's float subband output, clips it to 16-bit shorts one {@code append} call at a time, writes them as bytes
 * into a circular buffer, copies those out through an {@code AudioInputStream} and a byte array, and only then were
 * they turned into floats: about a tenth of the decoding time of a 30 s preview, the paper's learning set being
 * 46,490 of them. Here jlayer's synthesis hands each channel's 32 samples to {@link FloatOut}, which applies the same
 * clip and writes the float {@code short / 32768} straight into the channel's array, so the samples are those of the
 * old path bit for bit (checked on LAME files of every MPEG version, mode and bit-rate kind, and on 400 damaged
 * ones: {@code Mp3ReaderTest}).
 *
 * <p>What is kept from mp3spi's behaviour: every frame jlayer's {@link Bitstream} finds is decoded (the ID3v2 tag is
 * skipped by the bitstream; the LAME Info/Xing frame decodes to 1,152 zeros; encoder delay and padding are not
 * trimmed: reference digest, decision 2); a frame the decoder rejects ({@link DecoderException}) is dropped and
 * decoding goes on. Errors name the file: no MPEG audio frame at all, a damaged or cut stream (jlayer's own
 * exceptions), a rate or channel count outside {@link AudioLimits}, more audio than the longest accepted length
 * (checked while decoding, so a stream of endless frames is bounded), or no sample at all.
 */
final class Mp3Reader {

    private Mp3Reader() {}

    /** Decode an MP3 file (the caller has sniffed an ID3v2 tag or an MPEG frame sync at its start). */
    static Audio read(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return decode(file, new Bitstream(in));
        } catch (BitstreamException e) {
            throw new AudioDecodeException(file, "corrupt or truncated MP3 data: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // jlayer signals some damaged frames with index errors of its tables, not with its own exceptions
            throw new AudioDecodeException(file, "corrupt or truncated MP3 data: " + e, e);
        }
    }

    private static Audio decode(Path file, Bitstream bits) throws IOException, BitstreamException {
        Header h = bits.readFrame();
        if (h == null) {
            throw new AudioDecodeException(file, "unsupported codec or corrupt MP3 file: no MPEG audio frame found");
        }
        int channels = h.mode() == Header.SINGLE_CHANNEL ? 1 : 2;
        int rate = h.frequency();
        AudioLimits.checkFormat(file, rate, channels);
        long max = AudioLimits.maxFrames(rate, channels);
        FloatOut out = new FloatOut(channels, Files.size(file), h);
        Decoder decoder = new Decoder();
        decoder.setOutputBuffer(out);
        for (; h != null; h = bits.readFrame()) {
            try {
                decoder.decodeFrame(h, bits);
            } catch (DecoderException e) {
                // mp3spi dropped such a frame and went on; so does this reader (its samples are not appended)
            }
            bits.closeFrame();
            if (out.frames() > max) {
                throw AudioLimits.tooLongStream(file, rate, channels);
            }
        }
        int frames = out.frames();
        if (frames == 0) {
            throw new AudioDecodeException(file, "zero-length audio (no sample frames decoded)");
        }
        return new Audio(out.planar(frames), channels, frames, rate);
    }

    /**
     * jlayer's output buffer, planar floats: each call of {@link #appendSamples} brings one channel's next 32 samples
     * of the synthesis filter (scaled to the 16-bit range), clipped and scaled exactly as mp3spi's buffer and the old
     * byte conversion did: above 32767 is 32767, below -32768 is -32768, else the value truncated towards zero to an
     * integer (NaN to 0), then divided by 32768. A frame's channels advance together, so the channel arrays stay
     * equally long between frames.
     */
    static final class FloatOut extends Obuffer {

        private final float[][] ch;   // (channels, capacity)
        private final int[] n;        // samples written per channel

        FloatOut(int channels, long fileBytes, Header first) {
            // Room for the file's length at the first frame's bit rate, grown when a VBR file needs more.
            double seconds = fileBytes * 8.0 / Math.max(8000, first.bitrate());
            int cap = (int) Math.min(1 << 24, Math.max(1 << 14, seconds * first.frequency() + 4608));
            ch = new float[channels][cap];
            n = new int[channels];
        }

        int frames() {
            int f = n[0];
            for (int c = 1; c < n.length; c++) {
                f = Math.min(f, n[c]);
            }
            return f;
        }

        /** The first frames samples of each channel, channel after channel. */
        float[] planar(int frames) {
            float[] out = new float[ch.length * frames];
            for (int c = 0; c < ch.length; c++) {
                System.arraycopy(ch[c], 0, out, c * frames, frames);
            }
            return out;
        }

        @Override
        public void appendSamples(int channel, float[] f) {
            int k = n[channel];
            float[] b = ch[channel];
            if (k + 32 > b.length) {
                b = ch[channel] = Arrays.copyOf(b, b.length + (b.length >> 1) + 32);
            }
            for (int i = 0; i < 32; i++) {
                float s = f[i];
                int q = s > 32767f ? 32767 : s < -32768f ? -32768 : (short) (int) s;
                b[k + i] = q / 32768f;
            }
            n[channel] = k + 32;
        }

        @Override
        public void append(int channel, short value) {
            int k = n[channel];
            if (k == ch[channel].length) {
                ch[channel] = Arrays.copyOf(ch[channel], k + (k >> 1) + 1);
            }
            ch[channel][k] = value / 32768f;
            n[channel] = k + 1;
        }

        @Override
        public void write_buffer(int val) {}

        @Override
        public void close() {}

        @Override
        public void clear_buffer() {}

        @Override
        public void set_stop_flag() {}
    }
}
