package org.covidct.nn.optim;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.covidct.nn.Parameter;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;
import org.covidct.tensor.TensorScope;
import org.covidct.tensor.cpu.Parallel;

/**
 * torch.optim.AdamW (amsgrad off, not maximising): decoupled weight decay, then Adam's moments
 * with bias correction and eps added outside the square root. For each parameter with a gradient,
 * at its step t:
 * <pre>
 *   p  = p * (1 - lr * weightDecay)
 *   m  = beta1 * m + (1 - beta1) * g
 *   v  = beta2 * v + (1 - beta2) * g * g
 *   p  = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * in float32 with torch's CPU rounding: the scalars are computed in double, as Python does, and
 * rounded to float where torch hands them to a kernel; the moment updates are fused multiply-adds
 * as torch's vectorised kernels do them. The result matches torch 1.13 on the CPU bit for bit.
 *
 * <p>Each parameter counts its own steps (torch's {@code state["step"]}), so a parameter that was
 * frozen for a while starts its bias correction at its first step. The moments live on the
 * parameter's device; the update itself runs on the host, so on a GPU every step copies the
 * parameters, gradients and moments through host memory.
 */
public final class AdamW implements Optimizer {
    /** The type of its {@link OptimizerState}: tensors {@code exp_avg.*} and {@code exp_avg_sq.*}, step counts. */
    public static final String TYPE = "adamw";
    private static final String EXP_AVG = "exp_avg";
    private static final String EXP_AVG_SQ = "exp_avg_sq";
    private static final int GRAIN = 1 << 15;

    private final List<Parameter> params;
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private final Map<Parameter, Tensor> expAvg = new IdentityHashMap<>();
    private final Map<Parameter, Tensor> expAvgSq = new IdentityHashMap<>();
    private final Map<Parameter, Long> steps = new IdentityHashMap<>();
    private float learningRate;

    /**
     * An AdamW over {@code params}; torch's defaults are betas (0.9, 0.999), eps 1e-8 and weight
     * decay 0.01.
     *
     * @throws IllegalArgumentException unless lr, eps and weight decay are &gt;= 0 and both betas in [0, 1)
     */
    public AdamW(List<Parameter> params, float learningRate, float beta1, float beta2, float eps,
                 float weightDecay) {
        if (!(learningRate >= 0f) || !(eps >= 0f) || !(weightDecay >= 0f) || !(beta1 >= 0f && beta1 < 1f)
                || !(beta2 >= 0f && beta2 < 1f)) {
            throw new IllegalArgumentException("AdamW: invalid lr " + learningRate + ", betas (" + beta1 + ", "
                    + beta2 + "), eps " + eps + " or weight decay " + weightDecay);
        }
        this.params = List.copyOf(params);
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    @Override
    public List<Parameter> parameters() {
        return params;
    }

    @Override
    public float learningRate() {
        return learningRate;
    }

    @Override
    public void setLearningRate(float learningRate) {
        if (!(learningRate >= 0f)) {
            throw new IllegalArgumentException("AdamW: invalid learning rate " + learningRate);
        }
        this.learningRate = learningRate;
    }

    @Override
    public void step() {
        for (Parameter p : params) {
            Tensor grad = p.grad();
            if (grad != null) {
                update(p, grad);
            }
        }
    }

    private void update(Parameter p, Tensor grad) {
        Tensor param = p.data();
        Tensor m = expAvg.computeIfAbsent(p, k -> TensorScope.detach(Tensor.zeros(param.device(), param.dims())));
        Tensor v = expAvgSq.computeIfAbsent(p, k -> TensorScope.detach(Tensor.zeros(param.device(), param.dims())));
        long t = steps.merge(p, 1L, Long::sum);
        double lr = learningRate;
        Scalars s = new Scalars((float) (1 - lr * weightDecay), beta1, (float) (1 - (double) beta1), beta2,
                (float) (1 - (double) beta2), (float) -(lr / (1 - Math.pow(beta1, t))),
                (float) Math.sqrt(1 - Math.pow(beta2, t)), eps);
        float[] pa = param.toArray();
        float[] ga = grad.toArray();
        float[] ma = m.toArray();
        float[] va = v.toArray();
        Parallel.forRange(pa.length, GRAIN, (from, to) -> s.apply(pa, ga, ma, va, from, to));
        write(pa, param);
        write(ma, m);
        write(va, v);
    }

    /** The float32 scalars torch's kernels receive at one step, and the update they make. */
    private record Scalars(float decay, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                           float negStepSize, float biasCorrection2Sqrt, float eps) {
        void apply(float[] p, float[] g, float[] m, float[] v, int from, int to) {
            for (int i = from; i < to; i++) {
                float pi = p[i] * decay;
                float gi = g[i];
                float mi = Math.fma(oneMinusBeta1, gi, m[i] * beta1);
                float vi = Math.fma(oneMinusBeta2 * gi, gi, v[i] * beta2);
                float denom = (float) Math.sqrt(vi) / biasCorrection2Sqrt + eps;
                p[i] = pi + negStepSize * mi / denom;
                m[i] = mi;
                v[i] = vi;
            }
        }
    }

    private static void write(float[] values, Tensor dst) {
        try (Tensor src = Tensor.of(dst.device(), values, dst.dims())) {
            Ops.copyInto(src, dst);
        }
    }

    @Override
    public void zeroGrad() {
        params.forEach(Parameter::zeroGrad);
    }

    /** The first moment of a parameter, live, or null before its first step. */
    public Tensor expAvg(Parameter p) {
        return expAvg.get(p);
    }

    /** The second moment of a parameter, live, or null before its first step. */
    public Tensor expAvgSq(Parameter p) {
        return expAvgSq.get(p);
    }

    /** How many steps a parameter has taken (0 before its first). */
    public long steps(Parameter p) {
        return steps.getOrDefault(p, 0L);
    }

    /** Both moments as {@code exp_avg.<name>} and {@code exp_avg_sq.<name>}, and each parameter's step count. */
    @Override
    public OptimizerState state(Map<String, Parameter> names) {
        StateEntries entries = new StateEntries("AdamW", TYPE, params);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        entries.putTensors(EXP_AVG, expAvg, names, tensors);
        entries.putTensors(EXP_AVG_SQ, expAvgSq, names, tensors);
        Map<String, Long> counts = new LinkedHashMap<>();
        names.forEach((name, p) -> {
            Long n = steps.get(p);
            if (n != null) {
                counts.put(name, n);
            }
        });
        return new OptimizerState(TYPE, tensors, counts);
    }

    /**
     * Sets both moments and the step count of every parameter of {@code names} that this optimiser
     * updates to copies of the state's, or clears them where the state has none.
     *
     * @throws IllegalArgumentException also when a parameter has one of the three entries but not all
     */
    @Override
    public void loadState(OptimizerState state, Map<String, Parameter> names) {
        StateEntries entries = new StateEntries("AdamW", TYPE, params);
        Map<String, Map<Parameter, Tensor>> slots = entries.tensorsBySlot(state, List.of(EXP_AVG, EXP_AVG_SQ), names);
        Map<Parameter, Long> counts = entries.stepsByParameter(state, names);
        Map<String, Parameter> updated = entries.updatedAmong(names);
        updated.forEach((name, p) -> {
            int present = (slots.get(EXP_AVG).containsKey(p) ? 1 : 0) + (slots.get(EXP_AVG_SQ).containsKey(p) ? 1 : 0)
                    + (counts.containsKey(p) ? 1 : 0);
            if (present != 0 && present != 3) {
                throw new IllegalArgumentException("AdamW.loadState: '" + name
                        + "' needs exp_avg, exp_avg_sq and a step count together, the state has " + present + " of them");
            }
        });
        updated.values().forEach(p -> {
            replace(expAvg, p, slots.get(EXP_AVG).get(p));
            replace(expAvgSq, p, slots.get(EXP_AVG_SQ).get(p));
            Long n = counts.get(p);
            if (n == null) {
                steps.remove(p);
            } else {
                steps.put(p, n);
            }
        });
    }

    /** Puts a copy of {@code value} (moved to the parameter's device) in place of p's entry, or drops it. */
    private static void replace(Map<Parameter, Tensor> slot, Parameter p, Tensor value) {
        Tensor copy = null;
        if (value != null) {
            copy = TensorScope.detach(value.to(p.data().device()));
        }
        Tensor old = copy == null ? slot.remove(p) : slot.put(p, copy);
        if (old != null) {
            old.close();
        }
    }

    @Override
    public void close() {
        expAvg.values().forEach(Tensor::close);
        expAvgSq.values().forEach(Tensor::close);
        expAvg.clear();
        expAvgSq.clear();
        steps.clear();
    }
}
