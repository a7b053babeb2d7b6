package org.covidct.nn.data.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class CodePointOrderTest {
    @Test
    void ordersCharactersAboveU_FFFFAfterThoseBelowUnlikeStringCompareTo() {
        String fullwidthA = "\uFF21";
        String grinning = "\uD83D\uDE00";
        assertTrue(CodePointOrder.INSTANCE.compare(fullwidthA, grinning) < 0);
        assertTrue(fullwidthA.compareTo(grinning) > 0);
        assertTrue(CodePointOrder.INSTANCE.compare("d", "d e") < 0);
        assertTrue(CodePointOrder.INSTANCE.compare("/d.e", "/d/e") < 0);
        assertEquals(0, CodePointOrder.INSTANCE.compare("\u00e9", "\u00e9"));
    }

    /** The comparison is that of the code-point arrays (Python's str order), whatever the strings. */
    @Property(tries = 500)
    void agreesWithComparingCodePointArrays(@ForAll String a, @ForAll String b) {
        int expected = Integer.signum(Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray()));
        assertEquals(expected, Integer.signum(CodePointOrder.INSTANCE.compare(a, b)));
        assertEquals(-expected, Integer.signum(CodePointOrder.INSTANCE.compare(b, a)));
    }
}
