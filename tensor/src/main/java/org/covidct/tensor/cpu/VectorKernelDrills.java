package org.covidct.tensor.cpu;

import java.util.ArrayList;
import java.util.List;

/**
 * Small calls of every vector kernel that has a scalar twin, for {@link VectorWarmUp} to repeat
 * until the JIT has compiled them. Each drill takes both sides of the branches a real call may
 * take (beta zero and not, a last step and not), so the compiled code does not fall back to the
 * interpreter at the first real call that takes the other. Loaded only with the Vector API.
 */
final class VectorKernelDrills {
    /** Steps per kernel call: the fewer, the cheaper each interpreted call on the way to compilation. */
    private static final int KC = 2;

    private VectorKernelDrills() {
    }

    static List<Runnable> all() {
        int vl = SimdGemm.VL, nr = SimdGemm.NR;
        float[] a = filled(512), b = filled(16 * nr), c = filled(12 * nr);
        float[] out = new float[12 * nr], packed = new float[12 * 16 + vl];
        int[] rows = new int[KC], lanes = new int[vl], columns = new int[nr], dotRows = new int[SimdGemm.DOT_ROWS];
        for (int p = 0; p < KC; p++) {
            rows[p] = p * nr;
        }
        for (int j = 0; j < nr; j++) {
            columns[j] = j * KC;
        }
        for (int j = 0; j < vl; j++) {
            lanes[j] = j * 16;
        }
        for (int i = 0; i < dotRows.length; i++) {
            dotRows[i] = i * (2 * vl + 3);
        }
        float[] dots = new float[2 * SimdGemm.DOT_ROWS];
        List<Runnable> drills = new ArrayList<>(List.of(
                () -> SimdGemm.kernel8(a, 0, b, 0, KC, out, 0, nr, 1f, c, 0, nr),
                () -> SimdGemm.kernel8(a, 0, b, 0, KC, out, 0, nr, 0f, c, 0, nr),
                () -> SimdGemm.kernel6(a, 0, b, 0, KC, out, 0, nr, 1f, c, 0, nr),
                () -> SimdGemm.kernel6(a, 0, b, 0, KC, out, 0, nr, 0f, c, 0, nr),
                () -> SimdGemm.kernel4(a, 0, b, 0, KC, out, 0, nr, 1f, c, 0, nr),
                () -> SimdGemm.kernel4(a, 0, b, 0, KC, out, 0, nr, 0f, c, 0, nr),
                () -> SimdGemm.kernel8i(a, 0, b, rows, 0, KC, out, 0, nr, 1f),
                () -> SimdGemm.kernel8i(a, 0, b, rows, 0, KC, out, 0, nr, 0f),
                () -> SimdGemm.kernel6i(a, 0, b, rows, 0, KC, out, 0, nr, 1f),
                () -> SimdGemm.kernel6i(a, 0, b, rows, 0, KC, out, 0, nr, 0f),
                () -> SimdGemm.kernel4i(a, 0, b, rows, 0, KC, out, 0, nr, 1f),
                () -> SimdGemm.kernel4i(a, 0, b, rows, 0, KC, out, 0, nr, 0f),
                () -> SimdGemm.dots(a, dotRows, b, 0, 2 * vl + 3, 2 * vl + 3, dots),
                () -> SimdGemm.copyRow(b, 0, out, 0),
                () -> SimdGemm.gatherRow(b, 0, columns, 0, out, 0),
                () -> SimdGemm.gatherVector(a, 0, lanes, 0.5f, out, 0),
                () -> SimdGemm.copyVector(a, 0, 0.5f, out, 0),
                () -> SimdGemm.mergeRow(c, 0, 1f, out, 0),
                () -> SimdGemm.mergeRow(c, 0, 0f, out, 0),
                () -> SimdElementwise.clamp(b, 0f, 6f, out, 0, out.length),
                () -> SimdPooling.row2x2(b, 0, 2 * vl, out, 0, vl)));
        if (SimdGemm.MR == 12) {
            drills.add(() -> SimdGemm.kernel12(a, 0, b, 0, KC, out, 0, nr, 1f, c, 0, nr, 0));
            drills.add(() -> SimdGemm.kernel12(a, 0, b, 0, KC, out, 0, nr, 0f, c, 0, nr, 0));
        }
        if (vl == 16) {
            drills.add(() -> SimdGemm.transposeSteps12(a, 0, 16, 0.5f, packed, 0, false));
            drills.add(() -> SimdGemm.transposeSteps12(a, 0, 16, 0.5f, packed, 0, true));
        }
        for (int stride = 1; stride <= 2; stride++) {
            int h = 9, w = 2 * vl + 3, q = (w + 2 - 3) / stride + 1, p = (h + 2 - 3) / stride + 1, s = stride;
            float[] plane = filled(h * w), weights = filled(9), scratch = new float[SimdDepthwise.scratchSize(h, w, 1, 1, s)];
            float[] y = new float[p * q];
            drills.add(() -> SimdDepthwise.plane(plane, 0, h, w, 1, 1, s, s, 3, 3, weights, 0, 0.5f, 0f, 6f, y, 0, p, q,
                    scratch));
        }
        drills.addAll(winogradDrills());
        return drills;
    }

    /** The Winograd transforms of a 2-channel 3x3 convolution of a 9 x (2 VL + 3) image, tiles at both edges. */
    private static List<Runnable> winogradDrills() {
        int c = 2, k = 3, h = 9, w = 2 * SimdGemm.VL + 3;
        CpuWinograd.Geometry g = CpuWinograd.Geometry.of(1, c, h, w, 1, 1, k);
        CpuWinograd.Filters filters = new CpuWinograd.Filters(filled(k * c * 9), c, k, false);
        CpuWinograd.Scratch scratch = new CpuWinograd.Scratch();
        scratch.v = new float[16 * c * g.tc() + SimdGemm.VL];
        scratch.m = filled(16 * k * g.tc() + SimdGemm.VL);
        float[] x = filled(c * h * w), bias = filled(k), y = new float[k * g.p() * g.q()];
        int tiles = Math.min(g.tiles(), g.tc()); // one chunk
        return List.of(() -> CpuWinograd.transformFilters(filters, k, c, true),
                () -> CpuWinograd.transformInput(x, g, 0, tiles, scratch, true),
                () -> CpuWinograd.transformOutput(g, bias, y, 0, tiles, scratch, true));
    }

    private static float[] filled(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (i % 17) * 0.125f - 1f;
        }
        return x;
    }
}
