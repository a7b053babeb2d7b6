package org.covidct.app.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The mean and sample standard deviation against numpy's mean and std(ddof=1), and their invariances. */
class MeanStdTest {
    /** np.mean and np.std(ddof=1) of each list; the population std (ddof=0) would differ. */
    @Test
    void matchesNumpy() {
        assertMeanStd(List.of(1.0, 2.0, 3.0, 4.0), 2.5, 1.2909944487358056);
        assertMeanStd(List.of(0.1, 0.2, 0.4, 0.8, 1.6), 0.62, 0.6099180272790763);
        assertMeanStd(List.of(0.7, 0.8, 0.9), 0.7999999999999999, 0.10000000000000003);
        assertMeanStd(List.of(0.9, 0.8), 0.8500000000000001, 0.07071067811865474);
        assertMeanStd(List.of(0.7, 0.7), 0.7, 0.0);
    }

    private static void assertMeanStd(List<Double> values, double mean, double std) {
        MeanStd s = MeanStd.of(values);
        assertEquals(values.size(), s.count());
        assertEquals(mean, s.mean(), 1e-15);
        assertEquals(std, s.std(), 1e-15);
        assertTrue(s.hasStd());
    }

    @Test
    void oneValueHasNoDeviation() {
        MeanStd s = MeanStd.of(List.of(0.25));
        assertEquals(0.25, s.mean());
        assertTrue(Double.isNaN(s.std()));
        assertFalse(s.hasStd());
    }

    @Test
    void refusesNoValuesAndValuesThatAreNotFinite() {
        assertEquals("mean and standard deviation of no values",
                assertThrows(IllegalArgumentException.class, () -> MeanStd.of(List.of())).getMessage());
        assertEquals("mean and standard deviation of [0.5, NaN]: NaN is not a finite number",
                assertThrows(IllegalArgumentException.class, () -> MeanStd.of(List.of(0.5, Double.NaN))).getMessage());
        assertEquals("mean and standard deviation of [0.5, null]: null is not a finite number",
                assertThrows(IllegalArgumentException.class, () -> MeanStd.of(Arrays.asList(0.5, null))).getMessage());
    }

    /** std^2 (n - 1) = sum of squared deviations = population variance x n, each from its own naive loop. */
    @Property
    void isTheSampleDeviationNotThePopulationOne(@ForAll @Size(min = 2, max = 30) List<@DoubleRange(min = -1, max = 1) Double> values) {
        int n = values.size();
        double mean = 0;
        for (double v : values) {
            mean += v / n;
        }
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        MeanStd s = MeanStd.of(values);
        assertEquals(mean, s.mean(), 1e-12);
        assertEquals(Math.sqrt(squares / (n - 1)), s.std(), 1e-12);
    }

    /** Shifting every value moves the mean and leaves the deviation; scaling scales both. */
    @Property
    void shiftAndScale(@ForAll @Size(min = 2, max = 30) List<@DoubleRange(min = 0, max = 1) Double> values,
                       @ForAll @DoubleRange(min = -10, max = 10) double shift,
                       @ForAll @DoubleRange(min = 0.1, max = 10) double scale) {
        MeanStd s = MeanStd.of(values);
        List<Double> moved = new ArrayList<>();
        values.forEach(v -> moved.add(scale * v + shift));
        MeanStd t = MeanStd.of(moved);
        assertEquals(scale * s.mean() + shift, t.mean(), 1e-9);
        assertEquals(scale * s.std(), t.std(), 1e-9);
    }
}
