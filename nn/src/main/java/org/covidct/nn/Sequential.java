package org.covidct.nn;

import java.util.List;
import org.covidct.nn.autograd.Variable;

/**
 * Runs its children in order, each through {@link Module#call} so that forward hooks see it; they
 * are named "0", "1", ... as in torch.nn.Sequential.
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
     * Sequential of the model, as one convolution (see {@link BatchNormFolding}): one pass over the
     * activations instead of two. The result differs from the unfused layers by rounding only, and
     * only passes that nothing else can observe are fused: batch norm in eval mode, no gradients, no
     * forward hook on either layer, on the CPU. Training is unaffected. Returns {@code model}.
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

    /** Runs the layers in order, a Conv2d and the BatchNorm2d after it folded into one where fused for inference. */
    @Override
    public Variable forward(Variable x) {
        List<Module> layers = List.copyOf(children().values());
        Variable h = x;
        for (int i = 0; i < layers.size(); i++) {
            if (fusedForInference && i + 1 < layers.size() && layers.get(i) instanceof Conv2d conv
                    && layers.get(i + 1) instanceof BatchNorm2d bn && BatchNormFolding.applies(conv, bn, h)) {
                h = BatchNormFolding.forward(conv, bn, h);
                i++;
                continue;
            }
            h = layers.get(i).call(h);
        }
        return h;
    }
}
