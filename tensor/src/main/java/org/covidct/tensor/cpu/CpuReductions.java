package org.covidct.tensor.cpu;

/** Sums and argmax. Sums accumulate in double, so their error does not grow with the length. */
final class CpuReductions {
    private CpuReductions() {
    }

    static double sum(float[] x) {
        int chunks = Math.max(1, Math.min(Parallel.threads() * 4, x.length >> 15));
        double[] partial = new double[chunks];
        Parallel.forRange(chunks, 1, (from, to) -> {
            for (int c = from; c < to; c++) {
                int lo = (int) ((long) x.length * c / chunks);
                int hi = (int) ((long) x.length * (c + 1) / chunks);
                double s = 0;
                for (int i = lo; i < hi; i++) {
                    s += x[i];
                }
                partial[c] = s;
            }
        });
        double s = 0;
        for (double p : partial) {
            s += p;
        }
        return s;
    }

    /** out[c] = sum of x[n, c, i] over n and i, for x laid out as [batch, channels, inner]. */
    static void sumPerChannel(float[] x, int batch, int channels, int inner, float[] out, boolean vectorApi) {
        Parallel.forRange(channels, Math.max(1, (1 << 14) / Math.max(1, batch * inner)), (from, to) -> {
            for (int c = from; c < to; c++) {
                double s = 0;
                for (int n = 0; n < batch; n++) {
                    s += CpuStatistics.sum(x, (n * channels + c) * inner, inner, vectorApi);
                }
                out[c] = (float) s;
            }
        });
    }

    /** First index of the maximum of each row; NaN counts as the maximum, as in PyTorch. */
    static void argmaxRows(float[] x, int rows, int cols, int[] out) {
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            int best = 0;
            float max = x[base];
            for (int j = 1; j < cols && !Float.isNaN(max); j++) {
                float v = x[base + j];
                if (v > max || Float.isNaN(v)) {
                    max = v;
                    best = j;
                }
            }
            out[r] = best;
        }
    }
}
