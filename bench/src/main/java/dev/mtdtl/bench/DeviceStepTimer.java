package dev.mtdtl.bench;

import dev.mtdtl.nn.BatchSampler;
import dev.mtdtl.nn.MultiSourceNet;
import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.nn.TrainConfig;
import dev.mtdtl.nn.Trainer;
import dev.mtdtl.nn.TrainingData;
import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Devices;
import dev.mtdtl.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The engine's own training step and inference on a chosen device, through the real nn path (Trainer,
 * MultiSourceNet, the ops interface): what a user's {@code mtdtl train --device ...} runs per iteration,
 * including the batch upload, the loss read-back and the gradient check. For bench/gpu_check.sh, which
 * times PyTorch + cuDNN on the same GPU in the same call (bench/gpu_torch_step.py).
 *
 * <p>Usage: {@code DeviceStepTimer DEVICE STRATEGY SOURCES BATCH[,BATCH...] WARMUP ITERS}. Prints, per batch,
 * {@code TIME train_step_b<B> <ms> ms} and {@code TIME inference_b<B> <ms> ms} (medians), and the device
 * memory in use.
 */
public final class DeviceStepTimer {

    private DeviceStepTimer() {}

    public static void main(String[] args) {
        Devices.Choice choice = Devices.open(args[0]);
        Device device = choice.device();
        System.out.println("STEP " + choice.why());
        Strategy strategy = Strategy.of(args[1]);
        List<Source> sources = Source.parseList(args[2]);
        int warmup = Integer.parseInt(args[4]);
        int iters = Integer.parseInt(args[5]);
        for (String bs : args[3].split(",")) {
            int batch = Integer.parseInt(bs);
            TrainingData data = StrategyStepTimer.randomData(batch + 8, sources, 1234);
            MultiSourceNet net = MultiSourceNet.paper(strategy, sources, 1234);
            Trainer trainer = new Trainer(net, data, TrainConfig.paper(1234).withBatch(batch), device);
            BatchSampler sampler = new BatchSampler(data, TrainingData.Split.TRAIN, sources, batch, 99, false);
            Source s = sources.stream().filter(x -> !x.isSelf()).findFirst().orElse(sources.get(0));
            for (int i = 0; i < warmup; i++) {
                trainer.step(sampler.batch(i, s));
            }
            double[] ms = new double[iters];
            for (int i = 0; i < iters; i++) {
                BatchSampler.Batch b = sampler.batch(warmup + i, s);
                long t0 = System.nanoTime();
                trainer.step(b);   // ends with host reads (loss, gradient flag): the step has finished
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            report("train_step_b" + batch, ms);
            net.setTraining(false);
            Tensor x = sampler.batch(0, s).x().to(device);
            for (int i = 0; i < warmup; i++) {
                net.forward(s, x);
            }
            device.synchronize();
            for (int i = 0; i < iters; i++) {
                long t0 = System.nanoTime();
                net.forward(s, x);
                device.synchronize();
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            report("inference_b" + batch, ms);
            System.out.printf(Locale.ROOT, "MEM batch %d: %.0f MiB of device memory in use%n", batch,
                    device.bytesInUse() / 1048576.0);
        }
    }

    private static void report(String what, double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "TIME %-36s %8.3f ms%n", what, s[s.length / 2]);
    }
}
