package dev.mtdtl.cuda;

import jcuda.driver.CUfunction;

/**
 * One fused Adam step over a parameter group of the device ParamArena (adam.cu); bit-identical to
 * tensor's AdamCpu: the step constants below are formed exactly as AdamCpu forms them.
 */
public final class AdamCuda {

    private AdamCuda() {}

    private static final class K {
        static final CUfunction STEP = PtxModule.load("adam").function("adam_step_f32");
    }

    /** The same contract as AdamCpu.step, on [off, off+len) of device buffers p, g, m, v. */
    public static void step(DeviceBuffer p, DeviceBuffer g, DeviceBuffer m, DeviceBuffer v, int off, int len, int t,
                            float lr, float beta1, float beta2, float eps, float weightDecay) {
        DevArgs.nonNegative("off", off);
        DevArgs.nonNegative("len", len);
        long end = (long) off + len;
        DevArgs.need("p", p, end, "off+len");
        DevArgs.need("g", g, end, "off+len");
        DevArgs.need("m", m, end, "off+len");
        DevArgs.need("v", v, end, "off+len");
        DevArgs.positive("t", t);
        checkBeta("beta1", beta1);
        checkBeta("beta2", beta2);
        if (!(eps >= 0f) || !Float.isFinite(eps) || !Float.isFinite(lr) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException("need finite lr, weightDecay and eps >= 0, got lr=" + lr
                    + " eps=" + eps + " weightDecay=" + weightDecay);
        }
        double b1 = decimal(beta1);
        double b2 = decimal(beta2);
        double bc1 = 1.0 - StrictMath.pow(b1, t);
        double bc2 = 1.0 - StrictMath.pow(b2, t);
        float stepSize = (float) (decimal(lr) / bc1);
        float invSqrtBc2 = (float) (1.0 / Math.sqrt(bc2));
        Launch.grid1d(K.STEP, len, p.at(off), g.at(off), m.at(off), v.at(off), (long) len,
                (float) b1, (float) (1.0 - b1), (float) b2, (float) (1.0 - b2), eps, weightDecay, stepSize, invSqrtBc2);
    }

    /** The shortest decimal that rounds to f (AdamCpu.decimal): 0.999f is read as 0.999. */
    static double decimal(float f) {
        return Double.parseDouble(Float.toString(f));
    }

    private static void checkBeta(String name, float b) {
        if (!(b >= 0f && b < 1f)) {
            throw new IllegalArgumentException(name + " must be in [0, 1), got " + b);
        }
    }
}
