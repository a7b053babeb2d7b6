package org.covidct.tensor.cpu;

import static org.covidct.tensor.cpu.CpuActivations.ERF_A1;
import static org.covidct.tensor.cpu.CpuActivations.ERF_A2;
import static org.covidct.tensor.cpu.CpuActivations.ERF_A3;
import static org.covidct.tensor.cpu.CpuActivations.ERF_A4;
import static org.covidct.tensor.cpu.CpuActivations.ERF_A5;
import static org.covidct.tensor.cpu.CpuActivations.ERF_P;
import static org.covidct.tensor.cpu.CpuActivations.INV_SQRT_2PI;
import static org.covidct.tensor.cpu.CpuActivations.SQRT_HALF;
import static org.covidct.tensor.cpu.CpuActivations.TANH_BETA;
import static org.covidct.tensor.cpu.CpuActivations.TANH_KAPPA;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CpuActivations}' functions on the Vector API, over [from, to) of whole arrays: the same
 * float formulas, operation for operation, with the lanewise EXP, TANH and LOG (within an ulp of
 * Math's) in place of Math's; the tail past the last whole vector runs the scalar formulas. Used
 * only when the jdk.incubator.vector module is present.
 */
final class SimdActivations {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private SimdActivations() {
    }

    static void sigmoid(float[] x, float[] out, int from, int to) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            one.div(v.neg().lanewise(VectorOperators.EXP).add(1f)).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = CpuActivations.sigmoid(x[i]);
        }
    }

    static void tanh(float[] x, float[] out, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
            FloatVector.fromArray(S, x, i).lanewise(VectorOperators.TANH).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = (float) Math.tanh(x[i]);
        }
    }

    static void exp(float[] x, float[] out, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
            FloatVector.fromArray(S, x, i).lanewise(VectorOperators.EXP).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = (float) Math.exp(x[i]);
        }
    }

    static void log(float[] x, float[] out, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
            FloatVector.fromArray(S, x, i).lanewise(VectorOperators.LOG).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = (float) Math.log(x[i]);
        }
    }

    static void gelu(float[] x, boolean exact, float[] out, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            (exact ? geluExact(v) : geluTanh(v)).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = exact ? CpuActivations.geluExact(x[i]) : CpuActivations.geluTanh(x[i]);
        }
    }

    static void geluBackward(float[] x, float[] dy, boolean exact, float[] dx, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            FloatVector derivative = exact ? geluExactDerivative(v) : geluTanhDerivative(v);
            FloatVector.fromArray(S, dy, i).mul(derivative).intoArray(dx, i);
        }
        for (; i < to; i++) {
            dx[i] = dy[i] * (exact ? CpuActivations.geluExactDerivative(x[i])
                    : CpuActivations.geluTanhDerivative(x[i]));
        }
    }

    private static FloatVector geluExact(FloatVector x) {
        return x.mul(0.5f).mul(erf(x.mul(SQRT_HALF)).add(1f));
    }

    private static FloatVector geluExactDerivative(FloatVector x) {
        FloatVector cdf = erf(x.mul(SQRT_HALF)).add(1f).mul(0.5f);
        FloatVector pdf = x.mul(-0.5f).mul(x).lanewise(VectorOperators.EXP).mul(INV_SQRT_2PI);
        return cdf.add(x.mul(pdf));
    }

    private static FloatVector geluTanh(FloatVector x) {
        FloatVector inner = x.mul(x).mul(x).mul(TANH_KAPPA).add(x).mul(TANH_BETA);
        return x.mul(0.5f).mul(inner.lanewise(VectorOperators.TANH).add(1f));
    }

    private static FloatVector geluTanhDerivative(FloatVector x) {
        FloatVector square = x.mul(x);
        FloatVector inner = square.mul(x).mul(TANH_KAPPA).add(x).mul(TANH_BETA);
        FloatVector tanhInner = inner.lanewise(VectorOperators.TANH);
        FloatVector left = x.mul(0.5f);
        FloatVector right = tanhInner.add(1f);
        FloatVector innerDerivative = square.mul(3f * TANH_KAPPA).add(1f).mul(TANH_BETA);
        FloatVector tanhDerivative = tanhInner.mul(tanhInner).neg().add(1f);
        return right.mul(0.5f).add(left.mul(tanhDerivative).mul(innerDerivative));
    }

    /** {@link CpuActivations#erf} lane by lane. */
    private static FloatVector erf(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector t = FloatVector.broadcast(S, 1f).div(a.mul(ERF_P).add(1f));
        FloatVector poly = t.mul(ERF_A5).add(ERF_A4).mul(t).add(ERF_A3).mul(t).add(ERF_A2).mul(t).add(ERF_A1).mul(t);
        FloatVector e = poly.mul(a.mul(a).neg().lanewise(VectorOperators.EXP)).neg().add(1f);
        return e.blend(e.neg(), x.compare(VectorOperators.LT, 0f));
    }
}
