package dev.mtdtl.data.synth;

import com.sun.media.sound.AudioFloatInputStream;
import com.sun.media.sound.ModelByteBuffer;
import com.sun.media.sound.ModelByteBufferWavetable;
import com.sun.media.sound.ModelInstrument;
import com.sun.media.sound.ModelOscillator;
import com.sun.media.sound.ModelPerformer;
import com.sun.media.sound.SimpleInstrument;

import javax.sound.midi.Instrument;
import javax.sound.sampled.AudioFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bank's instruments with their wavetables held as float32 samples instead of the SF2's 16-bit PCM, so that
 * Gervill does not convert every sample again each time a voice reads it.
 *
 * <p>Why: a voice reads its wavetable through an {@code AudioFloatInputStream} that converts the stored PCM to
 * floats on every read, a scalar loop with a division per sample ({@code x / 32767f} or {@code x / 32768f} by sign,
 * JDK 17 and 25), which was 21 % of the synthesizer's CPU time (JFR, the default corpus, JDK 17). A float32
 * wavetable is read by a bulk copy: {@code mtdtl synth} 0.80-0.86x the time. The floats are made once per sample by reading the original wavetable's own stream to its end, so they
 * are the values the voice would have converted, on whatever JDK runs: the rendered audio keeps its bits.
 *
 * <p>The copy is a {@link SimpleInstrument} with the same patch, name and performers (key and velocity ranges,
 * exclusive class, connection blocks, loop points, pitch correction, attenuation); only the oscillators' sample
 * buffers change. It costs twice the bank's 16-bit sample memory (the emergency bank's ~1 MB; a 140 MB SF2 bank,
 * 280 MB more), so a bank whose floats would take more than an eighth of the heap is left as it is: the same audio,
 * at the old speed.
 */
final class FloatSamples {

    private FloatSamples() {}

    /**
     * A float-sample copy of every instrument in {@code instruments} (the same array positions; an instrument that is
     * not a Gervill model instrument is kept as it is). Samples shared between instruments are converted once.
     */
    static Instrument[] of(Instrument[] instruments) throws IOException {
        return of(instruments, Runtime.getRuntime().maxMemory() / 8);
    }

    /** {@link #of}, unless the floats would take more than {@code budget} bytes: then the instruments as they are. */
    static Instrument[] of(Instrument[] instruments, long budget) throws IOException {
        if (floatBytes(instruments) > budget) {
            return instruments.clone();
        }
        Map<ModelByteBuffer, ModelByteBuffer> floats = new IdentityHashMap<>();   // PCM sample -> its floats
        Map<Instrument, Instrument> copies = new IdentityHashMap<>();             // programs may share one instrument
        Instrument[] out = new Instrument[instruments.length];
        for (int i = 0; i < instruments.length; i++) {
            Instrument ins = instruments[i];
            if (ins != null) {
                Instrument c = copies.get(ins);
                if (c == null) {
                    c = copy(ins, floats);
                    copies.put(ins, c);
                }
                out[i] = c;
            }
        }
        return out;
    }

    /** What the float copies of the instruments' samples would take: 4 bytes for every sample value. */
    static long floatBytes(Instrument[] instruments) {
        Map<ModelByteBuffer, Boolean> seen = new IdentityHashMap<>();
        long bytes = 0;
        for (Instrument ins : instruments) {
            if (ins instanceof ModelInstrument mi) {
                for (ModelPerformer p : mi.getPerformers()) {
                    for (ModelOscillator o : p.getOscillators()) {
                        if (o instanceof ModelByteBufferWavetable w && w.getFormat() != null && w.getBuffer() != null
                                && seen.put(w.getBuffer(), Boolean.TRUE) == null) {
                            AudioFormat f = w.getFormat();
                            bytes += w.getBuffer().capacity() / f.getFrameSize() * f.getChannels() * 4L;
                        }
                    }
                }
            }
        }
        return bytes;
    }

    private static Instrument copy(Instrument ins, Map<ModelByteBuffer, ModelByteBuffer> floats) throws IOException {
        if (!(ins instanceof ModelInstrument mi)) {
            return ins;
        }
        ModelPerformer[] perf = mi.getPerformers();   // fresh objects: changing their oscillators leaves the bank as it was
        for (ModelPerformer p : perf) {
            List<ModelOscillator> osc = p.getOscillators();
            for (int k = 0; k < osc.size(); k++) {
                if (osc.get(k) instanceof ModelByteBufferWavetable w && w.getFormat() != null
                        && w.getBuffer() != null && !isFloat32(w.getFormat())) {
                    osc.set(k, floatTable(w, floats));
                }
            }
        }
        SimpleInstrument s = new SimpleInstrument();
        s.setName(mi.getName());
        s.setPatch(mi.getPatch());
        s.add(perf);
        return s;
    }

    private static boolean isFloat32(AudioFormat f) {
        return f.getEncoding().equals(AudioFormat.Encoding.PCM_FLOAT) && f.getSampleSizeInBits() == 32 && !f.isBigEndian();
    }

    /** A wavetable like {@code w} over its samples as little-endian float32. */
    private static ModelByteBufferWavetable floatTable(ModelByteBufferWavetable w,
                                                       Map<ModelByteBuffer, ModelByteBuffer> floats) throws IOException {
        AudioFormat f = w.getFormat();
        ModelByteBuffer data = floats.get(w.getBuffer());
        if (data == null || w.get8BitExtensionBuffer() != null) {   // a 24-bit sample's floats depend on both buffers
            data = new ModelByteBuffer(convert(w));
            if (w.get8BitExtensionBuffer() == null) {
                floats.put(w.getBuffer(), data);
            }
        }
        AudioFormat ff = new AudioFormat(AudioFormat.Encoding.PCM_FLOAT, f.getSampleRate(), 32, f.getChannels(),
                4 * f.getChannels(), f.getFrameRate(), false);
        ModelByteBufferWavetable t = new ModelByteBufferWavetable(data, ff, w.getPitchcorrection());
        t.setLoopStart(w.getLoopStart());
        t.setLoopLength(w.getLoopLength());
        t.setLoopType(w.getLoopType());
        t.setAttenuation(w.getAttenuation());
        return t;
    }

    /** The wavetable's whole stream, as its voices read it, in float32 little-endian bytes. */
    private static byte[] convert(ModelByteBufferWavetable w) throws IOException {
        ModelByteBuffer b = w.getBuffer();
        if (b.array() == null) {
            b.load();   // a file-backed sample (large SF2 banks): the synthesizer would load it too
        }
        int ch = w.getFormat().getChannels();
        long frames = b.capacity() / w.getFormat().getFrameSize();
        if (frames * ch * 4 > Integer.MAX_VALUE - 8) {
            throw new IOException("sample of " + frames + " frames is too long to hold as floats");
        }
        float[] v = new float[(int) (frames * ch)];
        AudioFloatInputStream in = w.openStream();
        int off = 0;
        while (off < v.length) {
            int n = in.read(v, off, v.length - off);
            if (n < 0) {
                break;
            }
            off += n;
        }
        ByteBuffer bb = ByteBuffer.allocate(off * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(v, 0, off);
        return bb.array();
    }
}
