package org.covidct.tensor.cpu;

import java.util.Arrays;

/**
 * Single-precision matrix multiply, row-major: C = alpha * op(A) * op(B) + beta * C, with op(A)
 * m x k and op(B) k x n. A is m x k with row stride lda (k x m when transposed), B is k x n with
 * row stride ldb (n x k when transposed), C is m x n with row stride ldc. As in BLAS, beta == 0
 * overwrites C without reading it.
 *
 * <p>Goto-style blocking around a register-tiled micro-kernel ({@link SimdGemm}): op(A) is packed
 * into MR-row panels (alpha folded in), op(B) into KC x NC panels of NR-column micro-panels per
 * thread, and the kernel updates an MR x NR tile of C from one A micro-panel and one B
 * micro-panel. Products one k block deep write their tiles straight into C; deeper ones sum them
 * in packed tiles over KD of k first (see {@link #multiply}). Threads take disjoint row or column
 * ranges (see {@link #run}), so they share at most a read-only packed A.
 *
 * <p>The operands are reached through {@link APanels} and {@link BPanels}, so {@link CpuConv2d}
 * can pack an implicit im2col matrix straight into the B panels.
 *
 * <p>Every vector kernel has a scalar twin ({@link ScalarGemm}) that computes the same bits on the
 * same layout: the twins run until the JIT has compiled the vector kernels ({@link VectorWarmUp}),
 * and always without the jdk.incubator.vector module, whose absence also shrinks the tile.
 */
final class Sgemm {
    /** The micro-kernels of {@link SimdGemm}, whose packed layout the constants below follow, where the JVM has them. */
    static final boolean SIMD = CpuKernelPaths.VECTOR_API_PRESENT;
    /** Rows of the micro-tile; the kernel exists for 12 and 6 (and any count in the scalar path). */
    static final int MR = SIMD ? SimdGemm.MR : 4;
    /** Floats per vector (0 without the Vector API). */
    static final int VL = SIMD ? SimdGemm.VL : 0;
    /** Columns of the micro-tile: two vectors. */
    static final int NR = SIMD ? SimdGemm.NR : 16;
    /** Depth of a packed block: a B micro-panel of KC x NR floats stays in L1. */
    static final int KC = 256;
    /** Rows of packed A walked per B micro-panel: MC x KC floats stay in L2. A multiple of 12, 6 and 4. */
    static final int MC = 192;
    /** Width of a packed B panel. */
    static final int NC = 1024 / NR * NR;
    /**
     * Depth of B packed at once on the tiled path: its MC x NC block of C is accumulated in packed
     * tiles over this many k and merged into C once, where it would be read and written once per KC.
     */
    static final int KD = 8 * KC;
    /**
     * The tiled path writes its last k block's tiles straight into C only when C's rows are closer
     * than this many floats (a 4 KiB page; see {@link #tiled}).
     */
    static final int DIRECT_LDC = 1024;
    /** Packed A is prepared in row slabs of at most this many floats. */
    private static final int PACKED_A_LIMIT = 1 << 22;
    /** A thread splitting rows should own at least this many, so packing all of B is a small extra. */
    private static final int ROWS_PER_THREAD = 128;
    /** Packing A is split over the pool from this many floats (below, a hand-off costs more). */
    private static final long PARALLEL_PACK = 1L << 18;
    /** Below this many multiply-adds a product runs on the calling thread. */
    private static final long SERIAL_WORK = 1L << 20;

    /**
     * Packs rows [ic, ic + mc) x [pc, pc + kc) of op(A) as panels [p][mr] from dst[dOff + r0 * kc], r0 a
     * multiple of mr; a last panel of fewer rows is {@link #height} rows high, zero past its rows.
     */
    interface APanels {
        void pack(int ic, int mc, int pc, int kc, int mr, float[] dst, int dOff);
    }

    /**
     * Packs rows [pc, pc + kc) x columns [jc, jc + nc) of op(B) as NR-column micro-panels [p][NR]
     * (columns past nc: any finite value, never stored), and returns false; or, for a product of
     * at most {@link #directB} rows, may instead describe micro-panel u as rows read at
     * buf.src[u][buf.srcRows[u][p] + buf.srcAdd[u]] and return true.
     */
    interface BPanels {
        boolean pack(int pc, int kc, int jc, int nc, float[] dst, Buffers buf);
    }

    /** One thread's packing buffers, allocated once at their largest size (the tiled path's on first use). */
    static final class Buffers {
        /** Packed B: KD / KC blocks of KC x NC; all paths use the first, the tiled path the others too. */
        private final float[][] b = new float[KD / KC][];
        final float[] a = new float[MC * KC];
        /** An MC x NC block of C as MR x NR tiles, each contiguous (the tiled path). */
        private float[] tiles;
        final float[] tile = new float[12 * NR];
        final float[] acc = new float[12 * NR]; // the scalar twins' tile
        /** What the kernels' loads ahead read (see {@link #ahead}), kept so the JIT keeps the loads. */
        int touched;
        /** Source offsets for gathering packers: one per panel column, one per panel row. */
        final int[] cols = new int[NC + NR];
        final int[] rows = new int[KC];
        final int[] lanes = new int[Math.max(VL, 1)];
        /** Where each micro-panel's rows are when a packer reads B in place (see BPanels). */
        final float[][] src = new float[NC / NR][];
        final int[][] srcRows = new int[NC / NR][];
        final int[] srcAdd = new int[NC / NR];
        /** Row offsets of a packed micro-panel: p * NR. */
        final int[] iota = new int[KC];

        Buffers() {
            for (int p = 0; p < KC; p++) {
                iota[p] = p * NR;
            }
            b[0] = new float[KC * NC];
        }

        float[] b(int block) {
            if (b[block] == null) {
                b[block] = new float[KC * NC];
            }
            return b[block];
        }

        float[] tiles() {
            if (tiles == null) {
                tiles = new float[MC * NC];
            }
            return tiles;
        }
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);
    /** The calling thread's packed A, grown on demand; workers only read it. */
    private static final ThreadLocal<float[][]> PACKED_A = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    private Sgemm() {
    }

    /** Whether the vector kernels run now, rather than their scalar twins. */
    private static boolean vectors() {
        return SIMD && VectorWarmUp.compiled();
    }

    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        sgemm(MR, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** As above with the micro-tile height chosen (tests reach the kernel this machine does not pick). */
    static void sgemm(int mr, boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0 || alpha == 0f) {
            scale(beta, m, n, c, cOff, ldc);
            return;
        }
        if (SIMD && !transA && transB && m <= SimdGemm.DOT_ROWS) {
            rowDots(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        APanels as = transA ? new TransposedA(alpha, a, aOff, lda) : new PlainA(alpha, a, aOff, lda);
        BPanels bs = transB ? new TransposedB(b, bOff, ldb) : new PlainB(b, bOff, ldb, mr == MR && directB(m));
        run(mr, m, n, k, as, bs, beta, c, cOff, ldc);
    }

    /**
     * C = op(A) op(B) + beta C over the thread pool, split one of three ways:
     * <ul>
     *   <li>by rows, when each thread's share is one short block of A (see {@link #multiply}), or B
     *   is no larger than A and one column block wide: each thread packs its own A and all of B,
     *   which is cheap next to its share of the work, and no thread waits for another;
     *   <li>by columns, each thread packing A block by block itself, when each thread's columns
     *   span a whole column block: packing A twice costs little next to that much work, and each
     *   block is read from the thread's own cache rather than from one shared packed A;
     *   <li>otherwise A is packed once (in row slabs) and the threads split the columns, or the
     *   rows of narrow C, so nothing is packed twice.
     * </ul>
     */
    static void run(int mr, int m, int n, int k, APanels as, BPanels bs, float beta, float[] c, int cOff, int ldc) {
        boolean parallel = (long) m * n * k >= SERIAL_WORK;
        int t = parallel ? Parallel.threads() : 1;
        int rowPanels = (m + mr - 1) / mr;
        if (t > 1 && m >= ROWS_PER_THREAD * t && (Math.ceilDiv(rowPanels, t) * mr <= MC || n <= Math.min(m, NC))) {
            Parallel.forRange(t, 1, (u0, u1) -> {
                Buffers buf = BUFFERS.get();
                for (int u = u0; u < u1; u++) {
                    int i0 = (int) ((long) rowPanels * u / t) * mr, i1 = Math.min(m, (int) ((long) rowPanels * (u + 1) / t) * mr);
                    multiply(mr, null, as, i0, i1, k, 0, k, bs, 0, n, n, 0, beta, c, cOff, ldc, buf);
                }
            });
            return;
        }
        int colPanels = (n + NR - 1) / NR;
        if (t > 1 && n >= NC * t) {
            Parallel.forRange(t, 1, (u0, u1) -> {
                Buffers buf = BUFFERS.get();
                for (int u = u0; u < u1; u++) {
                    int j0 = (int) ((long) colPanels * u / t) * NR, j1 = Math.min(n, (int) ((long) colPanels * (u + 1) / t) * NR);
                    multiply(mr, null, as, 0, m, k, 0, k, bs, j0, j1, n, 0, beta, c, cOff, ldc, buf);
                }
            });
            return;
        }
        int slab = Math.max(mr, PACKED_A_LIMIT / k / mr * mr);
        for (int s0 = 0; s0 < m; s0 += slab) {
            int rows = Math.min(slab, m - s0), base = s0;
            float[] packed = packA(mr, rows, k, (ic, mc, pc, kc, r, dst, dOff) -> as.pack(base + ic, mc, pc, kc, r, dst, dOff),
                    parallel && (long) rows * k >= PARALLEL_PACK);
            int slabPanels = (rows + mr - 1) / mr;
            // Columns split without duplicated work; rows only when there are too few column panels.
            boolean byCols = colPanels >= 4 * t || colPanels % t == 0 || slabPanels < 2 * t;
            int units = byCols ? Math.min(t, colPanels) : Math.min(t, slabPanels);
            int cBase = cOff + s0 * ldc;
            Parallel.forRange(units, 1, (u0, u1) -> {
                Buffers buf = BUFFERS.get();
                for (int u = u0; u < u1; u++) {
                    if (byCols) {
                        int j0 = (int) ((long) colPanels * u / units) * NR;
                        int j1 = Math.min(n, (int) ((long) colPanels * (u + 1) / units) * NR);
                        multiply(mr, packed, null, 0, rows, k, 0, k, bs, j0, j1, n, 0, beta, c, cBase, ldc, buf);
                    } else {
                        int i0 = (int) ((long) slabPanels * u / units) * mr;
                        int i1 = Math.min(rows, (int) ((long) slabPanels * (u + 1) / units) * mr);
                        multiply(mr, packed, null, i0, i1, k, 0, k, bs, 0, n, n, 0, beta, c, cBase, ldc, buf);
                    }
                }
            });
        }
    }

    /**
     * C = alpha A B^T + beta C for at most {@link SimdGemm#DOT_ROWS} rows of A (a linear layer on a
     * small batch): each entry is a dot product of two contiguous rows, so B (the weights, read once,
     * at memory speed) needs no packing. The threads split B's rows.
     */
    private static void rowDots(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff,
                                int ldb, float beta, float[] c, int cOff, int ldc) {
        long work = (long) m * n * k;
        Parallel.forRange((n + 1) / 2, work >= SERIAL_WORK ? Math.max(1, (int) ((SERIAL_WORK >> 2) / ((long) m * k))) : n,
                (u0, u1) -> {
                    int[] rows = new int[SimdGemm.DOT_ROWS];
                    for (int i = 0; i < rows.length; i++) {
                        rows[i] = aOff + Math.min(i, m - 1) * lda; // past m: row m - 1 again, never stored
                    }
                    float[] dots = new float[2 * SimdGemm.DOT_ROWS], lanes = new float[VL];
                    for (int j = 2 * u0; j < Math.min(n, 2 * u1); j += 2) {
                        int j1 = Math.min(j + 1, n - 1);
                        if (vectors()) {
                            SimdGemm.dots(a, rows, b, bOff + j * ldb, bOff + j1 * ldb, k, dots);
                        } else {
                            ScalarGemm.dots(VL, a, rows, b, bOff + j * ldb, bOff + j1 * ldb, k, dots, lanes);
                        }
                        for (int i = 0; i < m; i++) {
                            for (int jj = j; jj <= j1; jj++) {
                                int d = cOff + i * ldc + jj;
                                float v = alpha * dots[2 * i + jj - j];
                                c[d] = beta == 0f ? v : Math.fma(beta, c[d], v);
                            }
                        }
                    }
                });
    }

    /** Packs all m x k of op(A) into the calling thread's buffer: panel t at t * k * mr. */
    static float[] packA(int mr, int m, int k, APanels as, boolean parallel) {
        int panels = (m + mr - 1) / mr;
        float[][] holder = PACKED_A.get();
        int size = panels * mr * k;
        if (holder[0].length < size) {
            holder[0] = new float[size];
        }
        float[] packed = holder[0];
        int grain = parallel ? Math.max(1, (1 << 14) / (mr * k)) : panels;
        Parallel.forRange(panels, grain, (t0, t1) ->
                as.pack(t0 * mr, Math.min(m, t1 * mr) - t0 * mr, 0, k, mr, packed, t0 * mr * k));
        return packed;
    }

    static Buffers buffers() {
        return BUFFERS.get();
    }

    /**
     * On the calling thread: rows [i0, i1) x columns [j0, j1) of C = op(A) op(B) over k in [p0, p1),
     * plus beta * C. A comes prepacked (packed, all k, rows from 0, i0 a multiple of mr) or from as.
     * Columns come in groups of `group` (images side by side): column j is at C offset
     * cOff + (j / group) * groupStride + j % group.
     */
    static void multiply(int mr, float[] packed, APanels as, int i0, int i1, int k, int p0, int p1, BPanels bs,
                         int j0, int j1, int group, int groupStride, float beta, float[] c, int cOff, int ldc,
                         Buffers buf) {
        // Column blocks of equal width: a narrow last block would pack and walk mostly nothing.
        int blocks = Math.ceilDiv(j1 - j0, NC), width = Math.ceilDiv(Math.ceilDiv(j1 - j0, blocks), NR) * NR;
        if ((packed == null && i1 - i0 <= MC) || p1 - p0 <= KC) {
            blockByBlock(mr, packed, as, i0, i1, k, p0, p1, bs, j0, j1, width, group, groupStride, beta, c, cOff, ldc,
                    buf);
        } else {
            tiled(mr, packed, as, i0, i1, k, p0, p1, bs, j0, j1, width, group, groupStride, beta, c, cOff, ldc, buf);
        }
    }

    /**
     * One k block at a time, tiles straight into C (see {@link #rowsOfTiles}): for products one k block
     * deep, where C is written once either way, and for A packed on the fly with at most MC rows,
     * whose k blocks are then packed once each for all column blocks.
     */
    private static void blockByBlock(int mr, float[] packed, APanels as, int i0, int i1, int k, int p0, int p1,
                                     BPanels bs, int j0, int j1, int width, int group, int groupStride, float beta,
                                     float[] c, int cOff, int ldc, Buffers buf) {
        float[] bp = buf.b(0), ap = packed == null ? buf.a : packed;
        boolean packOnce = packed == null && i1 - i0 <= MC;
        for (int pc = p0; pc < p1; pc += KC) {
            int kc = Math.min(KC, p1 - pc);
            if (packOnce) {
                as.pack(i0, i1 - i0, pc, kc, mr, buf.a, 0);
            }
            for (int jc = j0; jc < j1; jc += width) {
                int nc = Math.min(width, j1 - jc);
                boolean direct = bs.pack(pc, kc, jc, nc, bp, buf);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    if (packed == null && !packOnce) {
                        as.pack(ic, mc, pc, kc, mr, buf.a, 0);
                    }
                    rowsOfTiles(mr, ap, packed != null, k, ic, mc, pc, kc, bp, direct, jc, nc,
                            group, groupStride, pc == p0 ? beta : 1f, c, cOff, ldc, buf);
                }
            }
        }
    }

    /**
     * Goto's blocking with C in packed tiles: B is packed KD deep (KD / KC blocks of KC x NC),
     * then for each MC-row block of A the kernel walks B micro-panel by micro-panel, each kept in
     * L1 while the A micro-panels stream past it from L2, and accumulates into contiguous MR x NR
     * tiles. C itself is read and written once per KD, row by row, which the prefetchers follow;
     * read tile by tile in this order, its rows (often 4 KB apart) would miss on every tile. When C
     * is not read (beta == 0 within one KD) and its rows are less than a page apart, the last k
     * block writes its whole tiles straight into C instead, and the stores drain while the kernel
     * computes. With rows a page or more apart, a column of tiles spans as many pages as the block
     * has rows, and those stores stall the kernel more than the merge pass costs (1024^3: 1-3%,
     * 2048^3: 3-8% slower).
     */
    private static void tiled(int mr, float[] packed, APanels as, int i0, int i1, int k, int p0, int p1, BPanels bs,
                              int j0, int j1, int width, int group, int groupStride, float beta, float[] c, int cOff,
                              int ldc, Buffers buf) {
        float[] tiles = buf.tiles(), ap = packed == null ? buf.a : packed;
        for (int jc = j0; jc < j1; jc += width) {
            int nc = Math.min(width, j1 - jc);
            for (int pk = p0; pk < p1; ) {
                // B read in place is described per block (buf.src), so then one block at a time.
                int blocks = 0, end = Math.min(p1, pk + KD);
                boolean direct = false;
                for (int pc = pk; pc < end && !direct; pc += KC) {
                    direct = bs.pack(pc, Math.min(KC, end - pc), jc, nc, buf.b(blocks++), buf);
                }
                end = Math.min(end, pk + blocks * KC);
                // Unless C is read (bt != 0) or its rows are a page apart, the last k block writes whole
                // tiles straight into C: no merge.
                float bt = pk == p0 ? beta : 1f;
                boolean finish = end == p1 && !direct && bt == 0f && ldc < DIRECT_LDC;
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    for (int q = 0; q < blocks; q++) {
                        int pc = pk + q * KC, kc = Math.min(KC, end - pc);
                        if (packed == null) {
                            as.pack(ic, mc, pc, kc, mr, buf.a, 0);
                        }
                        for (int jr = 0; jr < nc; jr += NR) {
                            int u = jr / NR, bo = jr * kc, col = jc + jr, g = col / group, first = col - g * group;
                            for (int ir = 0; ir < mc; ir += mr) {
                                int rows = Math.min(mr, mc - ir), h = height(mr, rows), to = tileOffset(mr, mc, ir, jr);
                                int ao = packed == null ? ir * kc : (ic + ir) * k + pc * h, next = ahead(ir / mr, jr, nc, kc);
                                if (direct) {
                                    kernel(h, ap, ao, buf.src[u], buf.srcRows[u], buf.srcAdd[u], kc, tiles, to, NR, 0f, buf);
                                } else if (finish && q == blocks - 1 && whole(h, rows, Math.min(NR, nc - jr), first, group)) {
                                    kernel(h, ap, ao, buf.b(q), bo, kc, tiles, to, NR, q == 0 ? 0f : 1f, c,
                                            cOff + (ic + ir) * ldc + g * groupStride + first, ldc, next, buf);
                                } else {
                                    kernel(h, ap, ao, buf.b(q), bo, kc, tiles, to, NR, q == 0 ? 0f : 1f, tiles, to, NR,
                                            next, buf);
                                }
                            }
                        }
                    }
                    for (int ir = 0; ir < mc; ir += mr) {
                        int rows = Math.min(mr, mc - ir), rowOff = cOff + (ic + ir) * ldc;
                        for (int jr = 0; jr < nc; jr += NR) {
                            int nr = Math.min(NR, nc - jr), col = jc + jr, first = col % group;
                            if (!finish || !whole(height(mr, rows), rows, nr, first, group)) {
                                mergeTile(tiles, tileOffset(mr, mc, ir, jr), rows, nr, col, group, groupStride, bt, c,
                                        rowOff, ldc);
                            }
                        }
                    }
                }
                pk = end;
            }
        }
    }

    /**
     * Where in its packed block the 12-row kernel for A micro-panel i of the B micro-panel at column jr
     * loads B ahead: the next B micro-panel, a quarter per call for the first four A micro-panels (the
     * kernel loads one cache line per two k steps, kc / 2 lines of a kc x 32 panel's 2 kc), else its own
     * micro-panel. A block of B is walked once per MC rows of A, after the other KD / KC blocks have
     * passed through L2, so without this each micro-panel would first arrive from L3 while the kernel
     * waits on it.
     */
    static int ahead(int i, int jr, int nc, int kc) {
        return i < 4 && jr + NR < nc ? (jr + NR) * kc + i * (kc * NR / 4) : jr * kc;
    }

    /** Whether a tile of `rows` x `nr` from column `first` of its group fills its h-row kernel and lies in one group. */
    private static boolean whole(int h, int rows, int nr, int first, int group) {
        return rows == h && nr == NR && first + NR <= group;
    }

    /** Where the tile of rows [ir, ir + mr) and columns [jr, jr + NR) of an mc-row block starts: column of tiles by column. */
    private static int tileOffset(int mr, int mc, int ir, int jr) {
        return (jr / NR * Math.ceilDiv(mc, mr) + ir / mr) * mr * NR;
    }

    /**
     * Rows [ic, ic + mc) x columns [jc, jc + nc) of C for the k block [pc, pc + kc): row of tiles by
     * row of tiles, so the A micro-panel stays in L1, B micro-panels come from L2, and each C row is
     * walked forward, which the hardware prefetcher follows. A is prepacked (all k) or packed for these
     * rows and this k block.
     */
    private static void rowsOfTiles(int mr, float[] ap, boolean prepacked, int k, int ic, int mc, int pc,
                                    int kc, float[] bp, boolean direct, int jc, int nc, int group, int groupStride,
                                    float bt, float[] c, int cOff, int ldc, Buffers buf) {
        for (int ir = 0; ir < mc; ir += mr) {
            int rows = Math.min(mr, mc - ir), h = height(mr, rows);
            int ao = prepacked ? (ic + ir) * k + pc * h : ir * kc;
            int rowOff = cOff + (ic + ir) * ldc;
            for (int jr = 0; jr < nc; jr += NR) {
                int nr = Math.min(NR, nc - jr), col = jc + jr, g = col / group, first = col - g * group;
                int bo = jr * kc, u = jr / NR;
                if (whole(h, rows, nr, first, group)) {
                    if (direct) {
                        kernel(h, ap, ao, buf.src[u], buf.srcRows[u], buf.srcAdd[u], kc, c, rowOff + g * groupStride + first,
                                ldc, bt, buf);
                    } else {
                        kernel(h, ap, ao, bp, bo, kc, c, rowOff + g * groupStride + first, ldc, bt, buf);
                    }
                } else {
                    if (direct) {
                        kernel(h, ap, ao, buf.src[u], buf.srcRows[u], buf.srcAdd[u], kc, buf.tile, 0, NR, 0f, buf);
                    } else {
                        kernel(h, ap, ao, bp, bo, kc, buf.tile, 0, NR, 0f, buf);
                    }
                    mergeTile(buf.tile, 0, rows, nr, col, group, groupStride, bt, c, rowOff, ldc);
                }
            }
        }
    }

    /** Height of a packed panel holding `rows` (at most mr) rows: mr, or the smallest kernel that fits. */
    static int height(int mr, int rows) {
        if (!SIMD) {
            return rows;
        }
        if (rows >= mr) {
            return mr;
        }
        return rows <= 4 ? 4 : rows <= 6 && mr != 12 ? 6 : rows <= 8 && mr == 12 ? 8 : mr;
    }

    /** The h x NR tile at c[co] (rows ldc apart) = beta * C + the product. */
    private static void kernel(int h, float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, int ldc,
                               float beta, Buffers buf) {
        kernel(h, a, ao, b, bo, kc, c, co, ldc, beta, c, co, ldc, bo, buf);
    }

    /**
     * The h x NR tile at out[oo] (rows ldo apart) = beta * the tile at c[co] (rows ldc apart) + the
     * product; the 12-row kernel also loads b ahead from `next` on (see {@link #ahead}).
     */
    private static void kernel(int h, float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, int ldc,
                               float beta, float[] out, int oo, int ldo, int next, Buffers buf) {
        if (!vectors()) {
            ScalarGemm.kernel(h, NR, a, ao, b, bo, kc, out, oo, ldo, beta, c, co, ldc, buf.acc);
            return;
        }
        switch (h) {
            case 12 -> buf.touched ^= SimdGemm.kernel12(a, ao, b, bo, kc, out, oo, ldo, beta, c, co, ldc, next);
            case 8 -> SimdGemm.kernel8(a, ao, b, bo, kc, out, oo, ldo, beta, c, co, ldc);
            case 6 -> SimdGemm.kernel6(a, ao, b, bo, kc, out, oo, ldo, beta, c, co, ldc);
            case 4 -> SimdGemm.kernel4(a, ao, b, bo, kc, out, oo, ldo, beta, c, co, ldc);
            default -> throw new IllegalArgumentException("no kernel for " + h + " rows");
        }
    }

    /** Products of at most this few rows may read B in place (see BPanels): one short panel of A. */
    static boolean directB(int m) {
        return SIMD && height(MR, m) < MR;
    }

    private static void kernel(int h, float[] a, int ao, float[] b, int[] rows, int add, int kc, float[] c, int co,
                               int ldc, float beta, Buffers buf) {
        if (!vectors()) {
            ScalarGemm.kernelInPlace(h, NR, a, ao, b, rows, add, kc, c, co, ldc, beta, buf.acc);
            return;
        }
        switch (h) {
            case 8 -> SimdGemm.kernel8i(a, ao, b, rows, add, kc, c, co, ldc, beta);
            case 6 -> SimdGemm.kernel6i(a, ao, b, rows, add, kc, c, co, ldc, beta);
            case 4 -> SimdGemm.kernel4i(a, ao, b, rows, add, kc, c, co, ldc, beta);
            default -> throw new IllegalArgumentException("no in-place kernel for " + h + " rows");
        }
    }

    /**
     * The first `rows` x `cols` of the tile at tile[t0] (rows NR apart) into C at columns [col, col +
     * cols) of the rows from rowOff: C = tile + beta * C (C unread when beta == 0). The columns may
     * straddle groups.
     */
    private static void mergeTile(float[] tile, int t0, int rows, int cols, int col, int group, int groupStride,
                                  float beta, float[] c, int rowOff, int ldc) {
        for (int c0 = 0; c0 < cols; ) {
            int g = (col + c0) / group, f = col + c0 - g * group, len = Math.min(cols - c0, group - f);
            int co = rowOff + g * groupStride + f;
            for (int i = 0; i < rows; i++) {
                int t = t0 + i * NR + c0, d = co + i * ldc;
                if (len == NR && vectors()) {
                    SimdGemm.mergeRow(tile, t, beta, c, d);
                } else if (len == NR) {
                    ScalarGemm.mergeRow(NR, tile, t, beta, c, d);
                } else if (beta == 0f) {
                    System.arraycopy(tile, t, c, d, len);
                } else {
                    for (int j = 0; j < len; j++) {
                        c[d + j] = Math.fma(beta, c[d + j], tile[t + j]);
                    }
                }
            }
            c0 += len;
        }
    }

    /** C = beta * C; beta == 0 writes zeros so NaN or garbage in C is never read. */
    private static void scale(float beta, int m, int n, float[] c, int cOff, int ldc) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) {
                Arrays.fill(c, row, row + n, 0f);
            } else {
                for (int j = row; j < row + n; j++) {
                    c[j] *= beta;
                }
            }
        }
    }

    /** dst[d, d + NR) = src[s, s + n), zero past n. */
    static void copyRow(float[] src, int s, int n, float[] dst, int d) {
        if (n == NR && vectors()) {
            SimdGemm.copyRow(src, s, dst, d);
        } else {
            System.arraycopy(src, s, dst, d, n);
            Arrays.fill(dst, d + n, d + NR, 0f);
        }
    }

    /** dst[d + j] = src[base + idx[io + j]] for j < NR. */
    static void gatherRow(float[] src, int base, int[] idx, int io, float[] dst, int d) {
        if (vectors()) {
            SimdGemm.gatherRow(src, base, idx, io, dst, d);
        } else {
            for (int j = 0; j < NR; j++) {
                dst[d + j] = src[base + idx[io + j]];
            }
        }
    }

    /** dst[d, d + VL) = alpha * src[base + idx[j]] for j < VL (the Vector API's layout only). */
    static void gatherVector(float[] src, int base, int[] idx, float alpha, float[] dst, int d) {
        if (vectors()) {
            SimdGemm.gatherVector(src, base, idx, alpha, dst, d);
        } else {
            ScalarGemm.gatherVector(VL, src, base, idx, alpha, dst, d);
        }
    }

    /** dst[d, d + VL) = alpha * src[s, s + VL) (the Vector API's layout only). */
    private static void copyVector(float[] src, int s, float alpha, float[] dst, int d) {
        if (vectors()) {
            SimdGemm.copyVector(src, s, alpha, dst, d);
        } else {
            ScalarGemm.copyVector(VL, src, s, alpha, dst, d);
        }
    }

    /**
     * op(A) = A, row-major. Full 12-row panels are transposed in registers 16 steps at a time (see
     * {@link SimdGemm#transposeSteps12}). Other steps (h rows at one column) are gathered; with the
     * Vector API as one vector written whole, past the step into the next, which the next step then
     * overwrites (the last step of a panel is written element by element, so nothing leaves the
     * mr * kc floats of the panel's slot).
     */
    record PlainA(float alpha, float[] a, int off, int ld) implements APanels {
        @Override
        public void pack(int ic, int mc, int pc, int kc, int mr, float[] dst, int dOff) {
            int[] lanes = BUFFERS.get().lanes;
            for (int r0 = 0; r0 < mc; r0 += mr) {
                int rows = Math.min(mr, mc - r0), h = height(mr, rows), panel = dOff + r0 * kc;
                int transposed = rows == 12 && VL == 16 ? kc / VL * VL : 0;
                boolean vectors = vectors();
                for (int p = 0; p < transposed; p += VL) {
                    int from = off + (ic + r0) * ld + pc + p;
                    if (vectors) {
                        SimdGemm.transposeSteps12(a, from, ld, alpha, dst, panel + p * h, p + VL == kc);
                    } else {
                        ScalarGemm.transposeSteps12(a, from, ld, alpha, dst, panel + p * h);
                    }
                }
                if (h <= VL && transposed < kc) {
                    for (int i = 0; i < VL; i++) {
                        lanes[i] = (ic + r0 + Math.min(i, rows - 1)) * ld;
                    }
                    for (int p = transposed; p < kc - 1; p++) {
                        gatherVector(a, off + pc + p, lanes, alpha, dst, panel + p * h);
                    }
                }
                for (int i = 0; i < rows && transposed < kc; i++) {
                    int src = off + (ic + r0 + i) * ld + pc;
                    for (int p = h <= VL ? kc - 1 : 0; p < kc; p++) {
                        dst[panel + p * h + i] = alpha * a[src + p];
                    }
                }
                zeroRows(dst, panel, rows, h, kc);
            }
        }
    }

    /** op(A) = A^T, A stored k x m: each step's h values are contiguous (one vector, as in PlainA). */
    private record TransposedA(float alpha, float[] a, int off, int ld) implements APanels {
        @Override
        public void pack(int ic, int mc, int pc, int kc, int mr, float[] dst, int dOff) {
            for (int r0 = 0; r0 < mc; r0 += mr) {
                int rows = Math.min(mr, mc - r0), h = height(mr, rows), panel = dOff + r0 * kc;
                for (int p = 0; p < kc; p++) {
                    int src = off + (pc + p) * ld + ic + r0, d = panel + p * h;
                    if (h <= VL && p < kc - 1 && src + VL <= a.length) {
                        copyVector(a, src, alpha, dst, d);
                    } else {
                        for (int i = 0; i < rows; i++) {
                            dst[d + i] = alpha * a[src + i];
                        }
                    }
                }
                zeroRows(dst, panel, rows, h, kc);
            }
        }
    }

    /** Rows [rows, h) of a panel [kc][h] are zero, so its kernel adds nothing for them. */
    static void zeroRows(float[] dst, int panel, int rows, int h, int kc) {
        if (rows < h) {
            for (int p = 0; p < kc; p++) {
                Arrays.fill(dst, panel + p * h + rows, panel + p * h + h, 0f);
            }
        }
    }

    /**
     * op(B) = B, row-major: NR contiguous floats per step. Packed row by row of B, so B is read
     * forward, which the prefetchers follow (micro-panel by micro-panel, each step would be a row
     * of B further, often a new page). When `direct`, whole micro-panels are read in place.
     */
    private record PlainB(float[] b, int off, int ld, boolean direct) implements BPanels {
        @Override
        public boolean pack(int pc, int kc, int jc, int nc, float[] dst, Buffers buf) {
            int inPlace = direct ? nc / NR * NR : 0;
            for (int j0 = 0; j0 < nc; j0 += NR) {
                int u = j0 / NR;
                buf.src[u] = j0 < inPlace ? b : dst;
                buf.srcRows[u] = j0 < inPlace ? buf.rows : buf.iota;
                buf.srcAdd[u] = j0 < inPlace ? jc + j0 : j0 * kc;
            }
            for (int p = 0; p < kc; p++) {
                int row = off + (pc + p) * ld;
                buf.rows[p] = row;
                for (int j0 = inPlace; j0 < nc; j0 += NR) {
                    copyRow(b, row + jc + j0, Math.min(NR, nc - j0), dst, j0 * kc + p * NR);
                }
            }
            return direct;
        }
    }

    /** op(B) = B^T, B stored n x k: a micro-panel row is one gather across NR rows of B. */
    private record TransposedB(float[] b, int off, int ld) implements BPanels {
        @Override
        public boolean pack(int pc, int kc, int jc, int nc, float[] dst, Buffers buf) {
            int[] idx = buf.cols;
            for (int j0 = 0; j0 < nc; j0 += NR) {
                int cols = Math.min(NR, nc - j0), panel = j0 * kc;
                for (int j = 0; j < NR; j++) {
                    idx[j] = (jc + j0 + Math.min(j, cols - 1)) * ld; // past cols: a repeat, never stored
                }
                for (int p = 0; p < kc; p++) {
                    gatherRow(b, off + pc + p, idx, 0, dst, panel + p * NR);
                }
            }
            return false;
        }
    }
}
