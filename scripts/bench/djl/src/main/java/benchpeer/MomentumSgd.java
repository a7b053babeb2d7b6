package benchpeer;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;

/**
 * SGD with momentum applied straight to the parameters' libtorch tensors, in place and with autograd
 * off: the same update as DJL's {@code Trainer.step()} with {@code Optimizer.sgd()} (velocity
 * v = momentum * v + lr * g, weight -= v, then the gradient zeroed), and, at a constant learning rate,
 * as torch.optim.SGD's v = momentum * v + g, weight -= lr * v. Trainer.step() copies every gradient
 * twice on the way (LocalParameterServer duplicates it, the native sgdUpdate clones it again) and adds
 * weight decay 0 times the weight; this does neither, so no tensor is allocated per step.
 */
final class MomentumSgd {
    private final List<NDArray> weights;
    private final List<NDArray> velocities = new ArrayList<>();
    private final float learningRate;
    private final float momentum;

    MomentumSgd(List<NDArray> weights, float learningRate, float momentum) {
        this.weights = weights;
        this.learningRate = learningRate;
        this.momentum = momentum;
        for (NDArray w : weights) {
            velocities.add(w.zerosLike());
        }
    }

    /** One update from the gradients the last backward pass left; call with autograd off. */
    void step() {
        for (int i = 0; i < weights.size(); i++) {
            NDArray weight = weights.get(i);
            // The gradient is zeroed right after, so scaling it in place costs no copy.
            try (NDArray grad = weight.getGradient()) {
                velocities.get(i).muli(momentum).addi(grad.muli(learningRate));
            }
            weight.subi(velocities.get(i));
            JniUtils.zeroGrad((PtNDArray) weight);
        }
    }
}
