package org.covidct.nn.data.split;

import java.util.Locale;
import org.covidct.nn.data.Split;

/**
 * The share of a data set each split gets: three positive numbers that add up to 1.
 *
 * @param train the share of train
 * @param val the share of val
 * @param test the share of test
 */
public record SplitFractions(double train, double val, double test) {
    /**
     * COVID-CT's own proportions: its Data-split files list 425 train, 118 val and 203 test images of
     * 746 (0.5697, 0.1582, 0.2721).
     */
    public static final SplitFractions COVID_CT = new SplitFractions(425 / 746.0, 118 / 746.0, 203 / 746.0);

    private static final double SUM_TOLERANCE = 1e-6;

    /** Checks that each share is above 0 and that they add up to 1 (within 1e-6). */
    public SplitFractions {
        double sum = train + val + test;
        if (!(train > 0 && val > 0 && test > 0) || !(Math.abs(sum - 1) <= SUM_TOLERANCE)) {
            throw new IllegalArgumentException("split fractions train " + train + ", val " + val + ", test " + test
                    + " must each be above 0 and add up to 1 (they add up to " + sum + ")");
        }
    }

    /**
     * The fractions written as three comma-separated numbers, train first: {@code 0.7,0.15,0.15}.
     *
     * @throws IllegalArgumentException when the text is not three such numbers
     */
    public static SplitFractions parse(String text) {
        String[] parts = text.split(",", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("split fractions '" + text
                    + "': expected three numbers train,val,test such as 0.7,0.15,0.15");
        }
        double[] values = new double[3];
        for (int i = 0; i < 3; i++) {
            try {
                values[i] = Double.parseDouble(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("split fractions '" + text + "': '" + parts[i].strip()
                        + "' is not a number");
            }
        }
        return new SplitFractions(values[0], values[1], values[2]);
    }

    /** The share of {@code split}. */
    public double of(Split split) {
        return switch (split) {
            case TRAIN -> train;
            case VAL -> val;
            case TEST -> test;
        };
    }

    /** The three shares as {@code parse} reads them. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s,%s,%s", train, val, test);
    }
}
