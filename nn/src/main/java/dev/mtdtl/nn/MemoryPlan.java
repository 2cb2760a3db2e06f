package dev.mtdtl.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * Places the activations of one forward/backward path by liveness (issue 15): which buffers of the layers
 * live in the network's {@link Arena} or over another buffer instead of in their own memory.
 *
 * <p>A path of the base network is a run of blocks conv -> {@link BatchNormReluPool} (blocks 1..5) or
 * conv -> batch norm -> ReLU (blocks 61, 62), then the head. What each buffer of a pooled block is needed for:
 * <pre>
 *   conv output        the batch norm's input, read by its forward and backward       -> own, kept
 *   pool output        next conv's input, read by its backward; the pool's backward    -> own, kept
 *   pool argmax        the pool's backward                                              -> own, kept
 *   conv workspace     within one kernel call                                           -> WORKSPACE
 *   conv dx            (its input is a pool output) read by that block's backward only  -> GRAD
 *   block dx           (batch norm + ReLU + pool backward) read by the conv's backward only; the conv output
 *                      it is the gradient of is dead by then                            -> over the conv output
 * </pre>
 * Where the device runs batch norm + ReLU + pool as one op (the CPU) that is all: the full-size normalised
 * tensor and pool gradient never exist. Elsewhere the two halves run apart and two more buffers are placed:
 * <pre>
 *   batch-norm output  read by the ReLU + pool forward only                             -> TRANSIENT
 *   pool dx            read by the batch norm's backward, which overwrites it in place  -> TRANSIENT
 * </pre>
 * Why no two borrowers of a slot overlap: in forward, block b's TRANSIENT is dead once its pool has run, before
 * block b+1's batch norm writes the slot. In backward, block b's pool writes TRANSIENT, its batch norm rewrites
 * it in place, its conv reads it as dy and writes its dx into GRAD; block b-1's pool then reads GRAD and writes
 * TRANSIENT, dead by then. GRAD is never a conv's dy (that is a block's dx), so no conv reads and writes one
 * slot. Forward and backward do not overlap, so they share TRANSIENT. Paths that never run at the same time
 * (other sources' branches; the Siamese twin path, whose forward and backward each follow the first path's)
 * may share an arena.
 *
 * <p>Layers outside the pattern (the head, GAP, blocks 61 and 62, whose ReLU backward needs its output) keep
 * their own buffers; at batch 128 they are small.
 */
final class MemoryPlan {

    private MemoryPlan() {}

    /** Place the buffers of {@code path} (layers in forward order; Sequentials are flattened) in {@code arena}. */
    static void apply(List<Layer> path, Arena arena) {
        List<Layer> ls = new ArrayList<>();
        for (Layer l : path) {
            flatten(l, ls);
        }
        for (int i = 0; i < ls.size(); i++) {
            Layer l = ls.get(i);
            if (l instanceof Conv2d conv) {
                conv.scratch().shareWorkspace(arena);
                if (i > 0 && ls.get(i - 1) instanceof BatchNormReluPool) {
                    conv.scratch().placeInputGrad(arena, Scratch.Place.GRAD);
                }
            }
            if (l instanceof BatchNormReluPool block && i > 0 && ls.get(i - 1) instanceof Conv2d) {
                block.overwriteInputInBackward(true);
                List<Layer> parts = block.children();   // (batch norm, ReLU + pool): the unfused way
                parts.get(0).scratch().placeOutput(arena, Scratch.Place.TRANSIENT);
                parts.get(0).scratch().placeInputGrad(arena, Scratch.Place.IN_PLACE);
                parts.get(1).scratch().placeInputGrad(arena, Scratch.Place.TRANSIENT);
            }
        }
    }

    /** Expand Sequentials (not BatchNormReluPool, which the plan treats as one block). */
    private static void flatten(Layer l, List<Layer> out) {
        if (l instanceof Sequential s) {
            for (Layer c : s.layers()) {
                flatten(c, out);
            }
        } else {
            out.add(l);
        }
    }
}
