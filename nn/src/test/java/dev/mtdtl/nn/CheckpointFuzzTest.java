package dev.mtdtl.nn;

import dev.mtdtl.tensor.test.Mutations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fuzzing suite's category for a training run's resume ({@code mtdtl train} again after a stop): a run trained
 * to iteration 9 (checkpoints 8 and 9 kept) has one file of its newest checkpoint mutated: the sidecar's text, or the
 * model or optimiser file's bytes as they are (their CRC-32 must catch it) or within their safetensors header with the
 * CRC recomputed (the parser must: a changed tensor value under a recomputed CRC is not damage any check could see,
 * so the data is left alone). The run is resumed and trained to 12. It must end with the three files of an
 * uninterrupted run's checkpoint 12, byte for byte: from 9 when the mutation is harmless, else from 8 with the corrupt
 * one moved aside. Checkpoint 8 is whole in every case, so a refusal fails the case: its first run (2026-12-08) refused
 * 5 of 30, each a sidecar whose network spec a mutation had changed ("belongs to another run"), so that the run could
 * not go on until someone moved the damaged checkpoint by hand.
 */
class CheckpointFuzzTest {

    private static final long SEED = Long.getLong("mtdtl.fuzz.seed", 0xF0_22_14L) + 41;

    private static Trainer trainer() {
        return new Trainer(TrainerTest.net(Strategy.MSCR2, TrainerTest.THREE, 0.5f), TrainerTest.data(),
                TrainerTest.cfg());
    }

    @Test
    void resumedFromAMutatedCheckpoint(@TempDir Path tmp) throws IOException {
        Random r = new Random(SEED);
        Path ref = tmp.resolve("ref");
        trainer().run(12, ref, null);
        Path base = tmp.resolve("base");
        trainer().run(9, base, null);
        String[] files = {"checkpoint.json", "model.safetensors", "optim.safetensors"};
        List<String> failures = new ArrayList<>();
        int n = 30;
        int fromNewest = 0;
        int fromOlder = 0;
        for (int i = 0; i < n; i++) {
            Path run = tmp.resolve("case-" + i);
            dev.mtdtl.tensor.test.TestFiles.copyTree(base, run);
            Path ck = Checkpoint.dir(run, 9);
            int kind = i % 5;   // 0, 1: sidecar text; 2, 3: a tensor file's bytes as they are; 4: its header, CRC fixed
            String file = kind <= 1 ? files[0] : files[1 + i % 2];
            StringBuilder what = new StringBuilder("checkpoint #" + i + " " + file + ": ");
            Path f = ck.resolve(file);
            byte[] b = Files.readAllBytes(f);
            byte[] m = kind <= 1 ? Mutations.text(b, r, what) : kind <= 3 ? Mutations.binary(b, r, what)
                    : header(b, r, what);
            Files.write(f, m);
            if (kind == 4) {
                fixCrc(ck, file);
            }
            try {
                List<String> log = new ArrayList<>();
                Trainer t = trainer();
                t.resume(run, log::add);
                long from = t.iteration();
                t.run(12, run, null);
                for (String name : files) {
                    if (!Arrays.equals(Files.readAllBytes(Checkpoint.dir(ref, 12).resolve(name)),
                            Files.readAllBytes(Checkpoint.dir(run, 12).resolve(name)))) {
                        failures.add(what + ": resumed from " + from + ", but " + name + " of iteration 12 differs from "
                                + "an uninterrupted run's");
                    }
                }
                if (from == 9) {
                    fromNewest++;
                } else {
                    fromOlder++;
                }
            } catch (IOException | RuntimeException e) {
                failures.add(what + ": not resumed, though checkpoint 8 is whole: " + e);
            }
        }
        System.out.printf("fuzz %-22s %3d cases: %3d resumed from the newest, %3d from the one before%n",
                "checkpoint resume", n, fromNewest, fromOlder);
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + n + " cases failed:\n" + String.join("\n", failures));
        }
    }

    /** A safetensors file's JSON header mutated as text, its length prefix kept consistent (or the header cut). */
    static byte[] header(byte[] b, Random r, StringBuilder what) {
        long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] h = Mutations.text(Arrays.copyOfRange(b, 8, 8 + (int) n), r, what.append("header "));
        byte[] m = new byte[8 + h.length + b.length - 8 - (int) n];
        ByteBuffer.wrap(m, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
        System.arraycopy(h, 0, m, 8, h.length);
        System.arraycopy(b, 8 + (int) n, m, 8 + h.length, b.length - 8 - (int) n);
        return m;
    }

    /** The sidecar's CRC-32 of {@code file} recomputed (a damage the parser, not the checksum, must catch). */
    private static void fixCrc(Path ck, String file) throws IOException {
        Path side = ck.resolve("checkpoint.json");
        java.util.zip.CRC32 c = new java.util.zip.CRC32();
        c.update(Files.readAllBytes(ck.resolve(file)));
        String s = Files.readString(side);
        String fixed = s.replaceFirst("(\"" + Pattern.quote(file) + "\"\\s*:\\s*)\\d+", "$1" + c.getValue());
        Files.writeString(side, fixed);
    }
}
