package org.covidct.tensor.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rearranging lanes: the sum of a vector's lanes in one fixed order, and the even and odd lanes of
 * two vectors side by side (a row's even and odd columns, for stride 2). {@code reduceLanes(ADD)}
 * leaves its order open, and the JDK adds lane by lane until the JIT compiles the caller and as a
 * tree after, so the same input could give two results a bit apart within one run (an evaluation
 * then disagreed with the same model's scores from minutes before).
 */
final class SimdLanes {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Doubles in a vector as wide as S's (the batch-norm statistics' lanes). */
    static final VectorSpecies<Double> D = VectorSpecies.of(double.class, VectorShape.forBitSize(S.vectorBitSize()));
    private static final int VL = S.length(), DL = D.length();
    /** Lane i + h to lane i (mod the lane count), for the folds by 8, 4, 2 and 1 lanes. */
    private static final VectorShuffle<Float> FOLD8 = fold(S, 8), FOLD4 = fold(S, 4), FOLD2 = fold(S, 2),
            FOLD1 = fold(S, 1);
    private static final VectorShuffle<Double> DFOLD4 = fold(D, 4), DFOLD2 = fold(D, 2), DFOLD1 = fold(D, 1);
    /** Lanes 0, 2, 4, ... and 1, 3, 5, ... of two vectors side by side (past the first, from the second). */
    private static final VectorShuffle<Float> EVENS = VectorShuffle.fromOp(S, i -> 2 * i);
    private static final VectorShuffle<Float> ODDS = VectorShuffle.fromOp(S, i -> 2 * i + 1);

    private SimdLanes() {
    }

    private static <E> VectorShuffle<E> fold(VectorSpecies<E> species, int h) {
        int n = species.length();
        return VectorShuffle.fromOp(species, i -> (i + h) % n);
    }

    /** Lanes 0, 2, 4, ... of lower then upper: the even columns of the 2 VL floats they hold. */
    static FloatVector evens(FloatVector lower, FloatVector upper) {
        return lower.rearrange(EVENS, upper);
    }

    /** Lanes 1, 3, 5, ... of lower then upper: the odd columns. */
    static FloatVector odds(FloatVector lower, FloatVector upper) {
        return lower.rearrange(ODDS, upper);
    }

    /** Lane 0 after adding to each lane the one VL/2 further, then VL/4, ..., then 1 (VL 4 to 16). */
    static float sum(FloatVector v) {
        if (VL >= 16) {
            v = v.add(v.rearrange(FOLD8));
        }
        if (VL >= 8) {
            v = v.add(v.rearrange(FOLD4));
        }
        v = v.add(v.rearrange(FOLD2));
        return v.add(v.rearrange(FOLD1)).lane(0);
    }

    /** As {@link #sum(FloatVector)}, for a vector of species {@link #D} (2 to 8 lanes). */
    static double sum(DoubleVector v) {
        if (DL >= 8) {
            v = v.add(v.rearrange(DFOLD4));
        }
        if (DL >= 4) {
            v = v.add(v.rearrange(DFOLD2));
        }
        return v.add(v.rearrange(DFOLD1)).lane(0);
    }
}
