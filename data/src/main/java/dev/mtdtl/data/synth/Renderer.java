package dev.mtdtl.data.synth;

import com.sun.media.sound.AudioSynthesizer;
import com.sun.media.sound.SoftSynthesizer;

import javax.sound.midi.MidiUnavailableException;
import javax.sound.midi.Receiver;
import javax.sound.midi.ShortMessage;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Offline, headless rendering of a {@link Score} with the JDK's Gervill synthesizer
 * ({@code AudioSynthesizer.openStream}: pull mode, audio is synthesised while it is read, no sound
 * card), at 22,050 Hz stereo float, into planar (2, n) samples.
 *
 * <p>Determinism: a fresh synthesizer per clip. Measured: a reused synthesizer gives different bytes
 * for the same clip depending on the clips before it (voice state survives all-sound-off and
 * reset-controllers), while a fresh one is byte-identical on every run; it costs ~5 ms per clip when
 * only the clip's instruments are loaded from the shared bank. So each clip's audio is a function of
 * (score, bank) only, independent of threads, order, and resumption. Gervill's reverb and chorus are
 * off (state again); {@link Reverb} replaces them in post-production.
 *
 * <p>Reference: data-notes.md section 1. Needs {@code --add-exports java.desktop/com.sun.media.sound=ALL-UNNAMED}.
 * Omitted: SysEx, tempo maps (scores are already in microseconds), sinc interpolation (3x slower).
 */
final class Renderer {

    static final int RATE = 22050;

    private Renderer() {}

    /** Render the first {@code frames} samples of the score: planar stereo, length 2 * frames. */
    static float[] render(Score sc, Soundbanks.Bank bank, int frames) throws IOException {
        AudioSynthesizer synth = new SoftSynthesizer();
        try {
            Map<String, Object> info = new HashMap<>();
            info.put("interpolation", "linear");
            info.put("reverb", false);
            info.put("chorus", false);
            info.put("max polyphony", 96);
            info.put("load default soundbank", false);
            AudioFormat fmt = new AudioFormat(AudioFormat.Encoding.PCM_FLOAT, RATE, 32, 2, 8, RATE, false);
            AudioInputStream pcm = synth.openStream(fmt, info);
            boolean[] loaded = new boolean[128];
            boolean drums = false;
            for (int i = 0; i < sc.size(); i++) {
                if ((sc.status(i) & 0xF0) == Score.PROGRAM && !loaded[sc.data1(i)]) {
                    loaded[sc.data1(i)] = true;
                    synth.loadInstrument(bank.programs()[sc.data1(i)]);
                }
                if ((sc.status(i) & 0x0F) == Score.DRUMS && (sc.status(i) & 0xF0) == Score.NOTE_ON) {
                    drums = true;
                }
            }
            if (drums && bank.drums() != null) {
                synth.loadInstrument(bank.drums());
            }
            Receiver rx = synth.getReceiver();
            long base = synth.getMicrosecondPosition();
            for (int i : sc.order()) {
                int st = sc.status(i);
                ShortMessage msg = new ShortMessage(st & 0xF0, st & 0x0F, sc.data1(i), sc.data2(i));
                rx.send(msg, base + sc.time(i));
            }
            byte[] buf = new byte[frames * 8];
            int off = 0;
            while (off < buf.length) {
                int k = pcm.read(buf, off, buf.length - off);
                if (k < 0) {
                    throw new IOException("synthesizer stream ended after " + off / 8 + " of " + frames + " frames");
                }
                off += k;
            }
            float[] out = new float[2 * frames];
            java.nio.FloatBuffer fb = java.nio.ByteBuffer.wrap(buf).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            for (int i = 0; i < frames; i++) {
                out[i] = fb.get(2 * i);
                out[frames + i] = fb.get(2 * i + 1);
            }
            return out;
        } catch (MidiUnavailableException | javax.sound.midi.InvalidMidiDataException e) {
            throw new IOException("Gervill synthesizer unavailable: " + e.getMessage(), e);
        } finally {
            synth.close();
        }
    }
}
