package dev.mtdtl.dsp;

import dev.mtdtl.tensor.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Writes {@link Audio} as a canonical 44-byte-header RIFF/WAVE file, atomically (temporary file, then
 * rename): 16-bit PCM ({@code round(v * 32768)} clipped to [-32768, 32767], so a file read back with
 * {@link WavReader} returns {@code int16 / 32768}, the fixtures' convention) or 32-bit IEEE float.
 *
 * <p>Omitted: WAVE_FORMAT_EXTENSIBLE headers and channel masks, dithering, RF64 for files over 4 GiB.
 */
public final class WavWriter {

    /** Sample encoding of the written file. */
    public enum Encoding { PCM16, FLOAT32 }

    private WavWriter() {}

    /** Write {@code a} to {@code file}. */
    public static void write(Path file, Audio a, Encoding enc) throws IOException {
        int ch = a.channels();
        int n = a.frames();
        int bytes = enc == Encoding.PCM16 ? 2 : 4;
        long dataLen = (long) n * ch * bytes;
        if (dataLen > 0xFFFFFFFFL - 36) {
            throw new IOException(file + ": " + dataLen + " bytes of audio do not fit a RIFF/WAVE file");
        }
        ByteBuffer b = ByteBuffer.allocate(44 + (int) dataLen).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {'R', 'I', 'F', 'F'}).putInt((int) (36 + dataLen)).put(new byte[] {'W', 'A', 'V', 'E'});
        b.put(new byte[] {'f', 'm', 't', ' '}).putInt(16).putShort((short) (enc == Encoding.PCM16 ? 1 : 3))
                .putShort((short) ch).putInt(a.sampleRate()).putInt(a.sampleRate() * ch * bytes)
                .putShort((short) (ch * bytes)).putShort((short) (8 * bytes));
        b.put(new byte[] {'d', 'a', 't', 'a'}).putInt((int) dataLen);
        float[] s = a.samples();
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < ch; c++) {
                float v = s[c * n + i];
                if (enc == Encoding.PCM16) {
                    long q = Math.round(v * 32768.0);
                    b.putShort((short) Math.max(-32768, Math.min(32767, q)));
                } else {
                    b.putFloat(v);
                }
            }
        }
        byte[] bytesOut = b.array();
        AtomicFiles.write(file, out -> out.write(bytesOut));
    }
}
