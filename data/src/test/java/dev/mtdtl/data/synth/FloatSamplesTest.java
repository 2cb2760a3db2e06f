package dev.mtdtl.data.synth;

import org.junit.jupiter.api.Test;

import javax.sound.midi.MidiSystem;
import javax.sound.midi.Soundbank;
import java.io.BufferedInputStream;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Float-sample instruments render every program and the drum kit to the bits of the bank's own 16-bit ones. */
class FloatSamplesTest {

    @Test
    void everyProgramAndTheDrumsSoundTheSameBitForBit() throws Exception {
        Soundbank sb;
        try (InputStream in = Soundbanks.class.getResourceAsStream("emergency.sf2")) {
            assertNotNull(in, "emergency.sf2 resource");
            sb = MidiSystem.getSoundbank(new BufferedInputStream(in));
        }
        Soundbanks.Bank pcm = Soundbanks.index("emergency", null, sb, false);
        Soundbanks.Bank flt = Soundbanks.index("emergency", null, sb, true);
        int frames = Renderer.RATE * 3 / 2;
        double energy = 0;
        for (int first = 0; first < 128; first += 8) {
            // eight programs on channels 0-7, the drums on 9: notes from low to high keys (key-split regions), soft
            // and loud (velocity layers), short and held (envelopes, loops), and a pitch bend on the way
            Score sc = new Score();
            for (int c = 0; c < 8; c++) {
                sc.add(0, Score.PROGRAM, c, first + c, 0);
                sc.add(0, Score.CONTROL, c, 7, 90);
                for (int k = 0; k < 6; k++) {
                    sc.note(k * 220_000L + c * 7_000L, c, 28 + 13 * k + c, 30 + 18 * k, k % 2 == 0 ? 150_000 : 900_000);
                }
                sc.add(700_000, Score.PITCH_BEND, c, 0, 80);
            }
            for (int k = 0; k < 12; k++) {
                sc.note(k * 110_000L, Score.DRUMS, 35 + 4 * k, 50 + 6 * k, 80_000);
            }
            float[] a = Renderer.render(sc, pcm, frames);
            float[] b = Renderer.render(sc, flt, frames);
            assertArrayEquals(a, b, 0f, "programs " + first + "-" + (first + 7));
            for (float v : a) {
                energy += v * v;
            }
        }
        assertTrue(energy > 1, "the scores made sound: " + energy);
        // past its memory budget a bank keeps its 16-bit samples: the same instruments
        long need = FloatSamples.floatBytes(pcm.programs());
        assertTrue(need > 100_000, "the emergency bank's floats: " + need + " bytes");
        javax.sound.midi.Instrument[] kept = FloatSamples.of(pcm.programs(), need - 1);
        for (int i = 0; i < 128; i++) {
            assertTrue(kept[i] == pcm.programs()[i], "program " + i);
        }
        assertTrue(FloatSamples.of(pcm.programs(), need)[0] != pcm.programs()[0], "converted within the budget");
    }
}
