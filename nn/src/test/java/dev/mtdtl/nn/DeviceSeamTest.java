package dev.mtdtl.nn;

import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Tensor;
import dev.mtdtl.tensor.test.EmulatedDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The device seam on any machine: the whole training loop (every strategy's layers, the Siamese head, KL,
 * Adam, validation, checkpoints, resume) runs on {@link EmulatedDevice}, whose tensors refuse {@code data()}
 * like a GPU's. Same kernels, so the result must be bit-identical to the CPU run, checkpoint bytes included;
 * a layer that bypasses the ops interface, or a missing upload/download, fails here without a GPU.
 */
class DeviceSeamTest {

    @TempDir
    Path tmp;

    private static byte[] bytes(Path p) throws Exception {
        return Files.readAllBytes(p);
    }

    @Test
    void everyStrategyTrainsBitIdenticallyOnANonCpuDevice() throws Exception {
        for (Strategy st : Strategy.values()) {
            List<Source> src = st == Strategy.SSR ? List.of(Source.TAG) : TrainerTest.THREE;
            Path a = tmp.resolve(st.id() + "-cpu");
            Path b = tmp.resolve(st.id() + "-dev");
            Trainer cpu = new Trainer(TrainerTest.net(st, src, 0.3f), TrainerTest.data(), TrainerTest.cfg());
            EmulatedDevice dev = new EmulatedDevice();
            Trainer onDev = new Trainer(TrainerTest.net(st, src, 0.3f), TrainerTest.data(), TrainerTest.cfg(), dev);
            cpu.run(8, a, null);
            onDev.run(8, b, null);
            assertTrue(dev.uploads > 0 && dev.downloads > 0, "batches go up, losses and checkpoints come down");
            for (Param p : onDev.net().stateDict()) {
                assertEquals(dev, p.value().device(), p.name() + " stays on the device");
            }
            for (String f : new String[]{"model.safetensors", "optim.safetensors"}) {
                assertArrayEquals(bytes(a.resolve("checkpoints/it-000000008").resolve(f)),
                        bytes(b.resolve("checkpoints/it-000000008").resolve(f)), st + " " + f);
            }
            assertEquals(Files.readString(a.resolve("valid.csv")), Files.readString(b.resolve("valid.csv")), st + " valid");
        }
    }

    @Test
    void aRunResumesOnTheOtherDevice() throws Exception {
        List<Source> src = TrainerTest.THREE;
        Path whole = tmp.resolve("whole");
        Path split = tmp.resolve("split");
        new Trainer(TrainerTest.net(Strategy.MSCR4, src, 0.3f), TrainerTest.data(), TrainerTest.cfg()).run(8, whole, null);
        new Trainer(TrainerTest.net(Strategy.MSCR4, src, 0.3f), TrainerTest.data(), TrainerTest.cfg(),
                new EmulatedDevice()).run(4, split, null);                // device first ...
        Trainer t = new Trainer(TrainerTest.net(Strategy.MSCR4, src, 0.3f), TrainerTest.data(), TrainerTest.cfg());
        assertTrue(t.resume(split));                                       // ... then the CPU picks it up
        assertEquals(4, t.iteration());
        t.run(8, split, null);
        for (String f : new String[]{"model.safetensors", "optim.safetensors"}) {
            assertArrayEquals(bytes(whole.resolve("checkpoints/it-000000008").resolve(f)),
                    bytes(split.resolve("checkpoints/it-000000008").resolve(f)), f);
        }
    }

    @Test
    void outOfDeviceMemoryNamesTheBatchSize() {
        EmulatedDevice dev = new EmulatedDevice();
        Trainer t = new Trainer(TrainerTest.net(Strategy.MSCR2, TrainerTest.THREE, 0.3f), TrainerTest.data(),
                TrainerTest.cfg(), dev);
        dev.allocationsLeft = 10;   // the model fits, the first step's activations do not
        BatchSampler s = new BatchSampler(TrainerTest.data(), TrainingData.Split.TRAIN, TrainerTest.THREE, 4, 1, false);
        dev.mtdtl.tensor.DeviceOutOfMemoryException e = assertThrows(dev.mtdtl.tensor.DeviceOutOfMemoryException.class,
                () -> t.step(s.batch(0, Source.TAG)));
        assertTrue(e.getMessage().contains("at batch 4") && e.getMessage().contains("out of emulated memory"),
                e.getMessage());
    }

    @Test
    void tensorsOnADeviceDoNotExposeHostMemory() {
        EmulatedDevice dev = new EmulatedDevice();
        Tensor t = Tensor.of(new float[]{1, -2, 3, 4}, 2, 2).to(dev);
        IllegalStateException e = assertThrows(IllegalStateException.class, t::data);
        assertTrue(e.getMessage().contains("(2, 2)") && e.getMessage().contains("emulated"), e.getMessage());
        assertArrayEquals(new float[]{1, -2, 3, 4}, t.toCpu().data());
        Tensor v = t.view(4);
        assertEquals(dev, v.device());
        t.fill(5f);
        assertArrayEquals(new float[]{5, 5, 5, 5}, v.toCpu().data());
    }

    @Test
    void aModelHalfOnTheDeviceIsAClearError() {
        EmulatedDevice dev = new EmulatedDevice();
        Linear lin = new Linear("fc", 3, 2, true);
        Tensor x = dev.zeros(4, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lin.forward(x));
        assertTrue(e.getMessage().contains("fc.weight lives on cpu"), e.getMessage());
        assertEquals(Device.cpu(), lin.weight().value().device());
    }
}
