package org.covidct.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** SimdLanes against its fold order written out in scalar code, to the bit. */
class SimdLanesTest {
    @Property(tries = 200)
    void floatSumFoldsHalvesInOrder(@ForAll long seed) {
        Random rnd = new Random(seed);
        int n = FloatVector.SPECIES_PREFERRED.length();
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(9) - 4)); // magnitudes that round apart
        }
        float[] v = x.clone();
        for (int h = n / 2; h >= 1; h /= 2) {
            float[] next = new float[n];
            for (int i = 0; i < n; i++) {
                next[i] = v[i] + v[(i + h) % n];
            }
            v = next;
        }
        assertEquals(Float.floatToRawIntBits(v[0]),
                Float.floatToRawIntBits(SimdLanes.sum(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, x, 0))));
    }

    @Property(tries = 200)
    void doubleSumFoldsHalvesInOrder(@ForAll long seed) {
        Random rnd = new Random(seed);
        int n = SimdLanes.D.length();
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(33) - 16);
        }
        double[] v = x.clone();
        for (int h = n / 2; h >= 1; h /= 2) {
            double[] next = new double[n];
            for (int i = 0; i < n; i++) {
                next[i] = v[i] + v[(i + h) % n];
            }
            v = next;
        }
        assertEquals(Double.doubleToRawLongBits(v[0]),
                Double.doubleToRawLongBits(SimdLanes.sum(DoubleVector.fromArray(SimdLanes.D, x, 0))));
    }
}
