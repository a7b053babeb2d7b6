package org.covidct.nn.data.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.covidct.nn.data.Split;
import org.junit.jupiter.api.Test;

class SplitFractionsTest {
    /** COVID-CT's Data-split lists: train 191 COVID + 234 NonCOVID, val 60 + 58, test 98 + 105. */
    @Test
    void covidCtFractionsAreItsSplitFileCounts() {
        int train = 191 + 234;
        int val = 60 + 58;
        int test = 98 + 105;
        int all = train + val + test;
        assertEquals((double) train / all, SplitFractions.COVID_CT.of(Split.TRAIN));
        assertEquals((double) val / all, SplitFractions.COVID_CT.of(Split.VAL));
        assertEquals((double) test / all, SplitFractions.COVID_CT.of(Split.TEST));
        assertEquals(0.5697, SplitFractions.COVID_CT.train(), 5e-5);
        assertEquals(0.1582, SplitFractions.COVID_CT.val(), 5e-5);
        assertEquals(0.2721, SplitFractions.COVID_CT.test(), 5e-5);
    }

    @Test
    void parsesThreeNumbersAndRoundTripsThroughToString() {
        assertEquals(new SplitFractions(0.7, 0.15, 0.15), SplitFractions.parse(" 0.7, 0.15 ,0.15"));
        assertEquals(SplitFractions.COVID_CT, SplitFractions.parse(SplitFractions.COVID_CT.toString()));
    }

    @Test
    void refusesFractionsThatAreNotThreePositiveSharesOfOne() {
        assertEquals("split fractions train 0.7, val 0.2, test 0.2 must each be above 0 and add up to 1 (they add up to"
                + " 1.0999999999999999)", assertThrows(IllegalArgumentException.class,
                        () -> new SplitFractions(0.7, 0.2, 0.2)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SplitFractions(1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SplitFractions(0.5, Double.NaN, 0.5));
        assertEquals("split fractions '0.7,0.3': expected three numbers train,val,test such as 0.7,0.15,0.15",
                assertThrows(IllegalArgumentException.class, () -> SplitFractions.parse("0.7,0.3")).getMessage());
        assertEquals("split fractions '0.7,x,0.3': 'x' is not a number",
                assertThrows(IllegalArgumentException.class, () -> SplitFractions.parse("0.7,x,0.3")).getMessage());
    }
}
