package dev.mtdtl.data.synth;

import com.sun.media.sound.ModelPatch;

import javax.sound.midi.Instrument;
import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Patch;
import javax.sound.midi.Soundbank;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The soundbanks a corpus is rendered with: General MIDI SF2 files found in the usual Debian places
 * (fluid-soundfont-gm's FluidR3_GM.sf2, timgm6mb-soundfont's TimGM6mb.sf2) or given by the user, and
 * always last the JDK's "emergency" bank (36 distinct timbres among the 128 programs, measured, so the
 * instrument task restricts its classes when it is the only bank).
 *
 * <p>The emergency bank is read from a copy in this module's resources ({@code emergency.sf2}, made
 * once with {@code EmergencySoundbank.createSoundbank().save(file)} on OpenJDK 17), not generated at
 * run time: the JDK generates its waveforms with random phases ({@code Math.random}, unseeded), so
 * every generated bank, and every clip rendered with it, differs in its bytes (measured).
 *
 * <p>A loaded bank is shared read-only by all render threads; each thread's synthesizer loads only
 * the instruments a clip uses. Its instruments hold their samples as floats ({@link FloatSamples}).
 *
 * <p>Omitted: DLS files, SF3 (Vorbis-compressed SF2, which Gervill cannot read), GS variation banks.
 */
public final class Soundbanks {

    /** Where Debian and the JDK keep General MIDI soundbanks, in order of preference. */
    static final List<Path> SEARCH = List.of(
            Path.of("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
            Path.of("/usr/share/sounds/sf2/TimGM6mb.sf2"),
            Path.of("/usr/share/soundfonts/FluidR3_GM.sf2"),
            Path.of("/usr/share/soundfonts/TimGM6mb.sf2"),
            Path.of("/usr/share/soundfonts/default.sf2"),
            Path.of("/usr/share/sounds/sf2/default.sf2"));

    /** One loaded bank: name (file name or "emergency"), path or null, instruments by GM program. */
    public record Bank(String name, Path file, Instrument[] programs, Instrument drums) {
        public boolean isEmergency() {
            return file == null;
        }
    }

    private Soundbanks() {}

    /** SF2 files present in the search list (real files, duplicates by name removed). */
    public static List<Path> findInstalled() {
        List<Path> out = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path p : SEARCH) {
            try {
                if (Files.isRegularFile(p)) {
                    Path real = p.toRealPath();
                    String name = real.getFileName().toString();
                    if (!names.contains(name)) {
                        names.add(name);
                        out.add(real);
                    }
                }
            } catch (IOException e) {
                // an unreadable candidate is skipped; the emergency bank remains
            }
        }
        return out;
    }

    /**
     * Load the given SF2 files (or, when {@code files} is empty, those found installed), then the
     * emergency bank. A file that is not a readable SF2 fails with its path in the message.
     */
    public static List<Bank> load(List<Path> files, boolean searchInstalled) throws IOException {
        List<Path> use = new ArrayList<>(files);
        if (use.isEmpty() && searchInstalled) {
            use.addAll(findInstalled());
        }
        List<Bank> out = new ArrayList<>();
        for (Path f : use) {
            if (!Files.isRegularFile(f)) {
                throw new IOException(f + ": soundbank not found");
            }
            Soundbank sb;
            try {
                sb = MidiSystem.getSoundbank(f.toFile());
            } catch (InvalidMidiDataException | IOException | RuntimeException e) {
                throw new IOException(f + ": not a readable SF2/DLS soundbank (" + e + ")", e);
            }
            out.add(index(f.getFileName().toString(), f, sb, true));
        }
        out.add(emergency());
        return out;
    }

    private static Bank emergencyBank;

    /** The emergency bank from the resources, loaded once per JVM (read-only afterwards). */
    static synchronized Bank emergency() throws IOException {
        if (emergencyBank == null) {
            try (java.io.InputStream in = Soundbanks.class.getResourceAsStream("emergency.sf2")) {
                if (in == null) {
                    throw new IOException("resource dev/mtdtl/data/synth/emergency.sf2 missing from the data module");
                }
                emergencyBank = index("emergency", null, MidiSystem.getSoundbank(new java.io.BufferedInputStream(in)),
                        true);
            } catch (InvalidMidiDataException e) {
                throw new IOException("emergency.sf2 resource unreadable: " + e.getMessage(), e);
            }
        }
        return emergencyBank;
    }

    /** The bank's GM programs and drum kit; with {@code floatSamples}, as {@link FloatSamples} (same audio, faster). */
    static Bank index(String name, Path file, Soundbank sb, boolean floatSamples) throws IOException {
        Instrument[] prog = new Instrument[128];
        Instrument drums = null;
        for (Instrument ins : sb.getInstruments()) {
            Patch p = ins.getPatch();
            boolean perc = p instanceof ModelPatch mp && mp.isPercussion();
            if (perc) {
                if (drums == null || p.getProgram() == 0 && p.getBank() == 0) {
                    drums = ins;
                }
            } else if (p.getBank() == 0 && prog[p.getProgram()] == null) {
                prog[p.getProgram()] = ins;
            }
        }
        int missing = 0;
        for (int i = 0; i < 128; i++) {
            if (prog[i] == null) {
                missing++;
            }
        }
        if (missing == 128) {
            throw new IOException((file == null ? name : file) + ": soundbank has no General MIDI bank-0 programs");
        }
        // A bank missing a few programs falls back to the nearest lower program (or piano).
        for (int i = 0; i < 128; i++) {
            if (prog[i] == null) {
                int j = i;
                while (j >= 0 && prog[j] == null) {
                    j--;
                }
                prog[i] = j >= 0 ? prog[j] : firstNonNull(prog);
            }
        }
        if (!floatSamples) {
            return new Bank(name, file, prog, drums);
        }
        Instrument[] all = java.util.Arrays.copyOf(prog, 129);   // the drum kit last: one conversion for both
        all[128] = drums;
        all = FloatSamples.of(all);
        return new Bank(name, file, java.util.Arrays.copyOf(all, 128), all[128]);
    }

    private static Instrument firstNonNull(Instrument[] a) {
        for (Instrument i : a) {
            if (i != null) {
                return i;
            }
        }
        return null;
    }
}
