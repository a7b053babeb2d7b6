package org.covidct.nn.data.image;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.random.RandomGenerator;

/**
 * torchvision 0.14's {@code RandomRotation(degrees)} with its defaults (nearest-neighbour
 * interpolation, {@code expand=False}, rotation about the image centre, black fill) on PIL images:
 * rotate counter-clockwise by an angle drawn uniformly from {@code [-degrees, degrees]}.
 *
 * <p>Each call draws one {@link RandomGenerator#nextDouble()} {@code u}; the angle is
 * {@code -degrees + 2 * degrees * u} rounded to float32, as torch's {@code uniform_} on a float
 * tensor gives it. The generator is the caller's, so the angles are not torch's. {@link #rotate}
 * then rotates as Pillow 9.4's {@code Image.rotate(angle)} does, bit for bit.
 *
 * @param degrees the largest rotation either way, in degrees; finite and non-negative
 */
public record RandomRotation(double degrees) implements ImageStep {
    /** Checks that the range is finite and non-negative. */
    public RandomRotation {
        if (!(degrees >= 0 && degrees < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("RandomRotation: degrees must be finite and non-negative, got "
                    + degrees);
        }
    }

    /** The angle in degrees for one call, from one {@link RandomGenerator#nextDouble()}. */
    public double sampleAngle(RandomGenerator rng) {
        return (float) (-degrees + 2 * degrees * rng.nextDouble());
    }

    @Override
    public RgbImage apply(RgbImage image, RandomGenerator rng) {
        return rotate(image, sampleAngle(rng));
    }

    /**
     * {@code image} rotated counter-clockwise by {@code angleDegrees} about its centre, as Pillow
     * 9.4's {@code Image.rotate(angle)} (which torchvision's {@code F.rotate} calls on a PIL image):
     * same size, nearest neighbour, black where no source pixel lands.
     *
     * <p>The angle is first reduced as Python reduces {@code angle % 360.0}, to [0, 360]. Multiples of 90
     * that keep the image's shape (0 and 180 always, 90 and 270 for a square image) are exact
     * transpositions. Any other angle {@code t} goes through Pillow's inverse affine map: with
     * {@code a = -t} in radians, the matrix {@code (cos a, sin a, c; -sin a, cos a, f)} has its four
     * entries rounded to 15 decimal places and {@code c}, {@code f} chosen so that the centre
     * {@code (W / 2, H / 2)} maps to itself. Output pixel {@code (x, y)} takes the source pixel at
     * the matrix image of its centre {@code (x + 0.5, y + 0.5)}, black where that lies outside.
     * As Pillow does, the source positions are accumulated by repeated addition along rows and
     * down columns: in 16.16 fixed point (the matrix entries and the position of pixel (0, 0)
     * rounded to multiples of 1/65536, positions floored) when the image's corners map within
     * 32768 of the origin, as they do for any image under about 23000 pixels a side; in doubles
     * (positions truncated, a negative one outside) otherwise. (Pillow also takes the double loop
     * when the rounded matrix has no rotation part left, within about 3e-14 degrees of 0 or 180;
     * its entries are then 0 and 1 or -1, and both loops give the same pixels.)
     */
    public static RgbImage rotate(RgbImage image, double angleDegrees) {
        if (!Double.isFinite(angleDegrees)) {
            throw new IllegalArgumentException("rotate: angle must be finite, got " + angleDegrees);
        }
        double angle = pythonModulo360(angleDegrees);
        int w = image.width();
        int h = image.height();
        if (angle == 0) {
            return image;
        }
        if (angle == 180) {
            return image.flipHorizontal().flipVertical();
        }
        if ((angle == 90 || angle == 270) && w == h) {
            return quarterTurn(image, angle == 90);
        }
        double radians = -Math.toRadians(angle);
        double a = round15(StrictMath.cos(radians));
        double b = round15(StrictMath.sin(radians));
        double d = round15(-StrictMath.sin(radians));
        double e = round15(StrictMath.cos(radians));
        double cx = w / 2.0;
        double cy = h / 2.0;
        // Image.rotate: matrix[2], matrix[5] = transform(-cx, -cy), then += cx, cy.
        double c = a * -cx + b * -cy + 0.0 + cx;
        double f = d * -cx + e * -cy + 0.0 + cy;
        double[] m = {a, b, c, d, e, f};
        if (fitsFixedPoint(m, 0, 0) && fitsFixedPoint(m, w, h) && fitsFixedPoint(m, 0, h)
                && fitsFixedPoint(m, w, 0)) {
            return affineFixed(image, m);
        }
        return affineFloat(image, m);
    }

    /** Pillow's {@code check_fixed}: whether a corner's source position fits 16.16 fixed point. */
    private static boolean fitsFixedPoint(double[] m, int x, int y) {
        return Math.abs(x * m[0] + y * m[1] + m[2]) < 32768.0 && Math.abs(x * m[3] + y * m[4] + m[5]) < 32768.0;
    }

    /**
     * Pillow's {@code affine_fixed}: the matrix rounded to 16.16 fixed point, the source position of
     * each pixel centre accumulated in integers and floored by a shift.
     */
    private static RgbImage affineFixed(RgbImage image, double[] m) {
        int w = image.width();
        int h = image.height();
        int a0 = fix(m[0]);
        int a1 = fix(m[1]);
        int a3 = fix(m[3]);
        int a4 = fix(m[4]);
        int a2 = fix(m[2] + m[0] * 0.5 + m[1] * 0.5);
        int a5 = fix(m[5] + m[3] * 0.5 + m[4] * 0.5);
        byte[] src = image.pixels();
        byte[] out = new byte[src.length];
        for (int y = 0; y < h; y++) {
            int xx = a2;
            int yy = a5;
            for (int x = 0; x < w; x++) {
                int xin = xx >> 16;
                int yin = yy >> 16;
                if (xin >= 0 && xin < w && yin >= 0 && yin < h) {
                    System.arraycopy(src, (yin * w + xin) * 3, out, (y * w + x) * 3, 3);
                }
                xx += a0;
                yy += a3;
            }
            a2 += a1;
            a5 += a4;
        }
        return new RgbImage(w, h, out);
    }

    /** Pillow's {@code FIX}: {@code floor(v * 65536 + 0.5)}. */
    private static int fix(double v) {
        return (int) Math.floor(v * 65536.0 + 0.5);
    }

    /**
     * Pillow's floating-point affine loop ({@code ImagingTransformAffine} past its fixed-point
     * check): source positions accumulated in doubles, truncated, a negative one outside the image.
     */
    private static RgbImage affineFloat(RgbImage image, double[] m) {
        int w = image.width();
        int h = image.height();
        double xo = m[2] + m[1] * 0.5 + m[0] * 0.5;
        double yo = m[5] + m[4] * 0.5 + m[3] * 0.5;
        byte[] src = image.pixels();
        byte[] out = new byte[src.length];
        for (int y = 0; y < h; y++) {
            double xx = xo;
            double yy = yo;
            for (int x = 0; x < w; x++) {
                int xin = coord(xx);
                int yin = coord(yy);
                if (xin >= 0 && xin < w && yin >= 0 && yin < h) {
                    System.arraycopy(src, (yin * w + xin) * 3, out, (y * w + x) * 3, 3);
                }
                xx += m[0];
                yy += m[3];
            }
            xo += m[1];
            yo += m[4];
        }
        return new RgbImage(w, h, out);
    }

    /** Python's {@code v % 360.0}: the result takes the divisor's sign, so it lies in [0, 360]. */
    private static double pythonModulo360(double v) {
        double mod = v % 360.0;
        if (mod == 0) {
            return 0.0;
        }
        return mod < 0 ? mod + 360.0 : mod;
    }

    /** Python's {@code round(v, 15)}: the exact binary value rounded half to even at 15 decimals. */
    private static double round15(double v) {
        return new BigDecimal(v).setScale(15, RoundingMode.HALF_EVEN).doubleValue();
    }

    /** Pillow's {@code COORD}: truncation toward zero, with any negative value outside the image. */
    private static int coord(double v) {
        return v < 0.0 ? -1 : (int) v;
    }

    /** Pillow's {@code ROTATE_90} (counter-clockwise) or {@code ROTATE_270} of a square image. */
    private static RgbImage quarterTurn(RgbImage image, boolean counterClockwise) {
        int n = image.width();
        byte[] src = image.pixels();
        byte[] out = new byte[src.length];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int xin = counterClockwise ? n - 1 - y : y;
                int yin = counterClockwise ? x : n - 1 - x;
                System.arraycopy(src, (yin * n + xin) * 3, out, (y * n + x) * 3, 3);
            }
        }
        return new RgbImage(n, n, out);
    }
}
