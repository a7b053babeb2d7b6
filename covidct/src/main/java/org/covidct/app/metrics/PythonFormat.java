package org.covidct.app.metrics;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Python's float formatting, so printed tables read digit for digit like the tutorial's output.
 * Java's {@code %.2f} rounds the shortest decimal half-up (0.845 prints 0.85, 0.125 prints 0.13);
 * Python rounds the exact binary value half-even (0.845 is 0.84499999... and prints 0.84, 0.125
 * prints 0.12).
 */
public final class PythonFormat {
    private PythonFormat() {}

    /** {@code format(x, '.<digits>f')}. */
    public static String fixed(double x, int digits) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        String s = new BigDecimal(x).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
        // Python keeps the sign of a negative value that rounds to zero.
        if ((x < 0 || (x == 0 && 1 / x < 0)) && !s.startsWith("-")) {
            s = "-" + s;
        }
        return s;
    }

    /** {@code repr(x)} / {@code str(x)} / {@code '{}'.format(x)}: the shortest round-tripping digits. */
    public static String repr(double x) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        if (x == 0) {
            return 1 / x < 0 ? "-0.0" : "0.0";
        }
        BigDecimal d = new BigDecimal(Double.toString(Math.abs(x))).stripTrailingZeros();
        if (d.precision() == 2) {
            // Double.toString never prints fewer than two digits; Python's shortest may be one.
            BigDecimal one = d.round(new MathContext(1, RoundingMode.HALF_EVEN));
            if (one.doubleValue() == Math.abs(x)) {
                d = one;
            }
        }
        String digits = d.unscaledValue().toString();
        int decpt = digits.length() - d.scale(); // value = 0.<digits> * 10^decpt
        StringBuilder out = new StringBuilder(x < 0 ? "-" : "");
        if (decpt > -4 && decpt <= 16) {
            if (decpt <= 0) {
                out.append("0.").append("0".repeat(-decpt)).append(digits);
            } else if (decpt >= digits.length()) {
                out.append(digits).append("0".repeat(decpt - digits.length())).append(".0");
            } else {
                out.append(digits, 0, decpt).append('.').append(digits, decpt, digits.length());
            }
        } else {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            int exp = decpt - 1;
            out.append(exp < 0 ? "e-" : "e+");
            String e = Integer.toString(Math.abs(exp));
            out.append(e.length() < 2 ? "0" + e : e);
        }
        return out.toString();
    }
}
