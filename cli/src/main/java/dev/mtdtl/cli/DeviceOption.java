package dev.mtdtl.cli;

import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Devices;
import picocli.CommandLine.Option;

/**
 * The {@code --device cpu|cuda|auto} option, shared by the commands that run the network (a picocli mixin).
 * Opening prints one line to stderr saying which device runs and, for auto, why; a device that cannot be
 * used ends the command with that reason and exit status 1 (see {@link Main}).
 */
public final class DeviceOption {

    @Option(names = "--device", paramLabel = "cpu|cuda|auto", defaultValue = "${env:MTDTL_DEVICE:-auto}",
            description = "where the network runs: cpu, cuda (an NVIDIA GPU) or auto (the GPU when usable, else "
                    + "the CPU; default ${DEFAULT-VALUE}, or MTDTL_DEVICE)")
    String device;

    /** Open the chosen device, printing the choice as "mtdtl CMD: device: ..." on stderr. */
    public Device open(String command) {
        Devices.Choice c = Devices.open(device);
        System.err.println("mtdtl " + command + ": " + c.why());
        return c.device();
    }
}
