package dev.mtdtl.dsp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jflac.FLACDecoder;
import org.jflac.frame.Frame;
import org.jflac.metadata.StreamInfo;
import org.jflac.util.ByteData;

/**
 * FLAC through jflac-codec's {@link FLACDecoder} directly (LGPL-2.1). Not through its
 * {@code javax.sound.sampled} SPI: jflac 1.5.2's {@code FlacAudioFileReader} re-serialises STREAMINFO
 * with the "last metadata block" flag cleared, so a file whose only metadata block is STREAMINFO
 * fails to decode (the audio frames are then parsed as metadata).
 *
 * <p>16- and 24-bit streams (jflac returns interleaved little-endian signed PCM of the stream's
 * depth), scaled by 2^(bits-1) like {@link WavReader}. Errors: a frame that fails its CRC or does not
 * parse, fewer samples than STREAMINFO announces (truncated data), zero samples, a rate, channel
 * count or length outside {@link AudioLimits}.
 *
 * <p>Omitted: 8-, 12- and 20-bit FLAC, MD5 verification.
 */
final class FlacReader {

    private static final int MAX_BAD_FRAMES = 64;

    private FlacReader() {}

    static Audio read(Path file) throws IOException {
        return read(file, 0);
    }

    /**
     * The FLAC stream that starts {@code skip} bytes into the file: after an ID3v2 tag that a tagger put in front of it
     * ({@link AudioDecoder#id3v2Length}), which jflac does not expect.
     */
    static Audio read(Path file, long skip) throws IOException {
        StreamInfo si;
        byte[] pcm;
        int badFrames;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            in.skipNBytes(skip);
            FLACDecoder d = new FLACDecoder(in);
            // jflac's readNextFrame retries forever on a frame header that keeps failing without consuming
            // input (found by the fuzzing suite: a mutated file hung the decoder). Its error callback is the
            // one hook inside that loop: stop after a bounded number of bad frames (the file is refused for
            // any bad frame anyway, below).
            d.addFrameListener(new org.jflac.FrameListener() {
                private int errors;

                @Override
                public void processMetadata(org.jflac.metadata.Metadata m) {}

                @Override
                public void processFrame(Frame f) {}

                @Override
                public void processError(String msg) {
                    if (++errors > MAX_BAD_FRAMES) {
                        throw new IllegalStateException("more than " + MAX_BAD_FRAMES + " bad frames (" + msg + ")");
                    }
                }
            });
            d.readMetadata();
            si = d.getStreamInfo();
            if (si == null) {
                throw new AudioDecodeException(file, "truncated header: no FLAC STREAMINFO block");
            }
            int bits = si.getBitsPerSample();
            if (bits != 16 && bits != 24) {
                throw new AudioDecodeException(file, "unsupported codec: " + bits + "-bit FLAC (16 and 24 supported)");
            }
            AudioLimits.checkFormat(file, si.getSampleRate(), si.getChannels());
            if (si.getTotalSamples() > 0) {
                AudioLimits.checkFrames(file, si.getTotalSamples(), si.getSampleRate(), si.getChannels());
            }
            long maxBytes = (AudioLimits.maxFrames(si.getSampleRate(), si.getChannels()) + 1) * si.getChannels()
                    * (bits / 8);
            ByteArrayOutputStream bo = new ByteArrayOutputStream(1 << 16);
            ByteData buf = null;
            while (!d.isEOF()) {
                Frame f = d.readNextFrame();
                if (f == null) {
                    break;
                }
                buf = d.decodeFrame(f, buf);
                bo.write(buf.getData(), 0, buf.getLen());
                if (bo.size() > maxBytes) {
                    throw AudioLimits.tooLongStream(file, si.getSampleRate(), si.getChannels());
                }
            }
            badFrames = d.getBadFrames();
            pcm = bo.toByteArray();
        } catch (AudioDecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new AudioDecodeException(file, "corrupt or truncated FLAC data: " + e, e);
        }
        if (badFrames > 0) {
            throw new AudioDecodeException(file, "corrupt FLAC data: " + badFrames + " frame(s) failed to decode");
        }
        int ch = si.getChannels();
        int bytes = si.getBitsPerSample() / 8;
        int frames = pcm.length / (ch * bytes);
        long announced = si.getTotalSamples();   // 0 = unknown
        if (announced > 0 && frames < announced) {
            throw new AudioDecodeException(file, "truncated data: STREAMINFO announces " + announced
                    + " samples, " + frames + " decoded");
        }
        if (frames == 0) {
            throw new AudioDecodeException(file, "zero-length audio (no FLAC frames)");
        }
        float[] out = new float[ch * frames];
        for (int i = 0; i < frames; i++) {
            for (int c = 0; c < ch; c++) {
                int p = (i * ch + c) * bytes;
                out[c * frames + i] = bytes == 2
                        ? (short) ((pcm[p] & 0xFF) | pcm[p + 1] << 8) / 32768f
                        : ((pcm[p] & 0xFF) | (pcm[p + 1] & 0xFF) << 8 | pcm[p + 2] << 16) / 8388608f;
            }
        }
        return new Audio(out, ch, frames, si.getSampleRate());
    }
}
