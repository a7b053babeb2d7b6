package org.covidct.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * VGG's max pooling, 2x2 windows at stride 2, a vector of outputs at a time: each window's four
 * cells are the even and odd columns of two input rows, split by vectors, and compared in the
 * scalar loop's order with its test (greater, or a NaN over a number), so the same cell wins and
 * the output has the same bits, signed zeros and NaNs included. Used only when the module is
 * present.
 */
final class SimdPooling {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private SimdPooling() {
    }

    /**
     * out[outRow + j] = the first maximum of in[top + 2j], in[top + 2j + 1], in[top + w + 2j] and
     * in[top + w + 2j + 1], for j below the returned count: whole vectors of outputs, while their
     * windows lie inside the row's w columns. The caller pools the rest.
     */
    static int row2x2(float[] in, int top, int w, float[] out, int outRow, int q) {
        int lanes = S.length(), j = 0;
        for (; j + lanes <= q && 2 * (j + lanes) <= w; j += lanes) {
            int a = top + 2 * j, b = a + w;
            FloatVector a0 = FloatVector.fromArray(S, in, a), a1 = FloatVector.fromArray(S, in, a + lanes);
            FloatVector b0 = FloatVector.fromArray(S, in, b), b1 = FloatVector.fromArray(S, in, b + lanes);
            FloatVector max = firstMax(SimdLanes.evens(a0, a1), SimdLanes.odds(a0, a1));
            max = firstMax(firstMax(max, SimdLanes.evens(b0, b1)), SimdLanes.odds(b0, b1));
            max.intoArray(out, outRow + j);
        }
        return j;
    }

    /** Lane by lane, the candidate where it is greater than the maximum so far or a NaN over a number. */
    private static FloatVector firstMax(FloatVector max, FloatVector candidate) {
        VectorMask<Float> wins = candidate.compare(VectorOperators.GT, max)
                .or(candidate.test(VectorOperators.IS_NAN).andNot(max.test(VectorOperators.IS_NAN)));
        return max.blend(candidate, wins);
    }
}
