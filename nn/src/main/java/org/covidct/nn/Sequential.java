package org.covidct.nn;

import java.util.List;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.tensor.Device;

/**
 * Runs its children in order, each through {@link Module#call} so that forward hooks see it; they
 * are named "0", "1", ... as in torch.nn.Sequential.
 *
 * <p>With gradients, it frees an activation on the CPU that backward will not read
 * ({@link Variable#backwardIgnoresDataOf}): a batch norm's output once the ReLU after it has made its
 * own, which torch's in-place ReLU saves too. An activation that a forward hook saw, as an output or
 * an input, is kept; a layer of one's own that holds on to its input must not follow a batch norm
 * with a ReLU inside it.
 */
public final class Sequential extends Module {
    private int size;
    private boolean fusedForInference;

    public Sequential(Module... layers) {
        for (Module m : layers) {
            add(m);
        }
    }

    /**
     * Lets inference run each Conv2d of {@code model} and the BatchNorm2d right after it, in any
     * Sequential of the model, as one convolution (see {@link BatchNormFolding}), clamped by the ReLU
     * or ReLU6 after them as it is made ({@link Clamp}): one pass over the activations instead of
     * three. The result differs from the unfused layers by rounding only, and only passes that
     * nothing else can observe are fused: batch norm in eval mode, no gradients, no forward hook on
     * any of the layers, batch norm folded on the CPU only. Training is unaffected.
     *
     * <p>Without gradients, these Sequentials also free each activation on the CPU once the layer
     * after it has made its own (a layer that hands back its input keeps it, and so do the layers
     * that a forward hook watches, anywhere inside them): a forward pass then holds about two layers'
     * activations instead of all of them until its scope closes. Returns {@code model}.
     */
    public static <M extends Module> M fuseForInference(M model) {
        if (model instanceof Sequential s) {
            s.fusedForInference = true;
        }
        model.children().values().forEach(Sequential::fuseForInference);
        return model;
    }

    public Sequential add(Module layer) {
        registerModule(Integer.toString(size++), layer);
        return this;
    }

    public int size() {
        return size;
    }

    /** The layer at {@code index}; negative indices count from the end, like features[-1]. */
    public Module get(int index) {
        int i = index < 0 ? size + index : index;
        Module m = children().get(Integer.toString(i));
        if (m == null) {
            throw new IndexOutOfBoundsException("Sequential of " + size + " layers has no index " + index);
        }
        return m;
    }

    /** Replaces the layer at {@code index}, as model.classifier[6] = nn.Linear(4096, 2) does. */
    public void set(int index, Module layer) {
        get(index);
        replaceModule(Integer.toString(index < 0 ? size + index : index), layer);
    }

    /**
     * Runs the layers in order. Where fused for inference, a Conv2d runs with the BatchNorm2d after it
     * folded in, and with the ReLU or ReLU6 after those applied in the same call.
     */
    @Override
    public Variable forward(Variable x) {
        List<Module> layers = List.copyOf(children().values());
        boolean freeAsItGoes = fusedForInference && !GradMode.isEnabled();
        Variable h = x;
        boolean keep = true; // h is the caller's, or a forward hook saw it as an output
        for (int i = 0; i < layers.size(); i++) {
            Variable next;
            Module layer = layers.get(i);
            if (fusedForInference && !GradMode.isEnabled() && layer instanceof Conv2d conv) {
                BatchNorm2d bn = i + 1 < layers.size() && layers.get(i + 1) instanceof BatchNorm2d b
                        && BatchNormFolding.applies(conv, b, h) ? b : null;
                int after = bn == null ? i + 1 : i + 2;
                Clamp clamp = after < layers.size() && !conv.hasForwardHooks() ? Clamp.of(layers.get(after)) : null;
                if (bn != null) {
                    next = BatchNormFolding.forward(conv, bn, h, clamp);
                } else {
                    next = clamp == null ? conv.call(h) : conv.convolve(h, conv.weight(), conv.bias(), clamp);
                }
                i = clamp == null ? after - 1 : after; // the last layer taken
            } else {
                next = layer.call(h);
            }
            boolean passedThrough = next.data() == h.data(), layerWatched = watched(layer);
            boolean unread = freeAsItGoes ? !passedThrough : next.backwardIgnoresDataOf(h);
            if (!keep && unread && !layerWatched && h.data().device().equals(Device.CPU)) {
                h.data().close();
            }
            keep = (passedThrough && keep) || layerWatched;
            h = next;
        }
        return h;
    }

    /** Whether a forward hook watches {@code m} or a module inside it, and so may hold its output. */
    private static boolean watched(Module m) {
        return m.hasForwardHooks() || m.children().values().stream().anyMatch(Sequential::watched);
    }
}
