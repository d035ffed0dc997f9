package org.clipwsss.runtime.crf;

import java.util.Arrays;

/**
 * Gaussian filtering of per-pixel signals in a feature space, approximated on a permutohedral lattice (Adams,
 * Baek and Davis 2010) exactly as Krähenbühl's {@code densecrf} (the code behind pydensecrf) builds and uses it:
 * the lattice geometry (scale factors, elevation, rounding half to even, rank, barycentric weights, vertices) is
 * computed in float32 with the same operations in the same order, so every pixel lands in the same simplex with
 * the same weights; filtering is splat, blur along the d+1 lattice axes in order, and slice with
 * {@code alpha = 1 / (1 + 2^-d)}, in float32.
 *
 * <p>Filtering approximates {@code out_i = sum_j exp(-|f_i - f_j|^2 / 2) in_j} (the self pair included) up to a
 * constant factor. Immutable after construction; {@link #filter} may be called from several threads at once.
 */
public final class PermutohedralLattice {
    private static final int PAD_BLOCK = 4; // densecrf's SSE code handles pixels in blocks of 4, padding with zeros
    /** densecrf stores vertex coordinates as int16; beyond this (leaving room for the neighbours) they would wrap. */
    private static final int KEY_LIMIT = Short.MAX_VALUE - 64;

    private final int n;
    private final int d;
    private final int vertices;
    /** offset[i * (d + 1) + m]: vertex (1-based; 0 is "none", which reads as 0) of pixel i's m-th simplex corner. */
    private final int[] offset;
    /** weight[i * (d + 1) + m]: barycentric weight of that corner. */
    private final float[] weight;
    /** neighbours[(j * vertices + v) * 2 + 0/1]: the two neighbours (1-based, 0 = none) of vertex v along axis j. */
    private final int[] neighbours;

    private PermutohedralLattice(int n, int d, int vertices, int[] offset, float[] weight, int[] neighbours) {
        this.n = n;
        this.d = d;
        this.vertices = vertices;
        this.offset = offset;
        this.weight = weight;
        this.neighbours = neighbours;
    }

    /**
     * Builds the lattice for {@code features[i]}, the d-dimensional feature vector of point i (already divided by
     * the kernel's standard deviations).
     *
     * @throws IllegalArgumentException for no points, vectors of different lengths or a length of 0
     */
    public static PermutohedralLattice build(float[][] features) {
        if (features.length == 0) {
            throw new IllegalArgumentException("no feature vectors");
        }
        int d = features[0].length;
        float[] flat = new float[Math.multiplyExact(features.length, d)];
        for (int i = 0; i < features.length; i++) {
            if (features[i].length != d) {
                throw new IllegalArgumentException("feature vector " + i + " has " + features[i].length
                        + " values but vector 0 has " + d);
            }
            System.arraycopy(features[i], 0, flat, i * d, d);
        }
        return build(flat, d);
    }

    /**
     * Builds the lattice for point-major features: {@code features[i * d + k]} is coordinate k of point i.
     *
     * @throws IllegalArgumentException if d is not positive, the length is not a positive multiple of d, a
     *                                  feature is not finite, or the features are so large that densecrf's 16-bit
     *                                  vertex coordinates would wrap (e.g. an image more than about 12000 pixels
     *                                  across with a spatial standard deviation of 1)
     */
    public static PermutohedralLattice build(float[] features, int d) {
        if (d <= 0 || d > 64) {
            throw new IllegalArgumentException("feature dimension must be 1..64, got " + d);
        }
        if (features.length == 0 || features.length % d != 0) {
            throw new IllegalArgumentException(features.length + " feature values are not a positive multiple of d = " + d);
        }
        for (int i = 0; i < features.length; i++) {
            if (!Float.isFinite(features[i])) {
                throw new IllegalArgumentException("feature " + (i % d) + " of point " + (i / d) + " is " + features[i]);
            }
        }
        return new Builder(features, d).build();
    }

    /** The number of points (pixels). */
    public int size() {
        return n;
    }

    /** The feature dimension d. */
    public int dimension() {
        return d;
    }

    /** The number of lattice vertices. */
    public int vertexCount() {
        return vertices;
    }

    /**
     * Filters a signal of {@code values} floats per point, point-major ({@code in[i * values + k]}).
     *
     * @return a new array shaped like {@code in}
     */
    public float[] filter(float[] in, int values) {
        float[] out = new float[in.length];
        filter(in, out, values);
        return out;
    }

    /**
     * Filters {@code in} into {@code out} (both point-major, {@code values} per point; they may be the same array).
     * With 1 or 2 values per point this follows densecrf's sequential code, with 3 or more its SSE code (they
     * differ only in float rounding: the blur adds in double, the slice multiplies the weight last).
     */
    public void filter(float[] in, float[] out, int values) {
        filter(in, out, values, new float[workspaceSize(values)]);
    }

    /** The length of the workspace {@link #filter(float[], float[], int, float[])} needs for {@code values}. */
    public int workspaceSize(int values) {
        return Math.multiplyExact(2 * (vertices + 1), values);
    }

    /**
     * As {@link #filter(float[], float[], int)}, using {@code work} (at least {@link #workspaceSize} floats, any
     * content) for the vertex values instead of allocating; one workspace per thread.
     */
    public void filter(float[] in, float[] out, int values, float[] work) {
        if (values <= 0 || in.length != (long) n * values || out.length != in.length) {
            throw new IllegalArgumentException("expected " + n + " x " + values + " values, got " + in.length
                    + " in and " + out.length + " out");
        }
        int v = values;
        int half = (vertices + 1) * v; // vertex values in work[0, half) and work[half, 2 half); vertex 0 reads as 0
        if (work.length < 2 * half) {
            throw new IllegalArgumentException("the workspace has " + work.length + " floats but needs " + 2 * half);
        }
        Arrays.fill(work, 0, half + v, 0f);
        splat(in, work, v);
        int cur = 0;
        int nxt = half;
        for (int j = 0; j <= d; j++) {
            if (v <= 2) {
                blurSequential(work, cur, nxt, v, j);
            } else if (v == 3) {
                blur3(work, cur, nxt, j);
            } else {
                blur(work, cur, nxt, v, j);
            }
            int t = cur;
            cur = nxt;
            nxt = t;
        }
        slice(work, cur, out, v);
    }

    private void splat(float[] in, float[] val, int v) {
        int dp1 = d + 1;
        if (v == 3) {
            for (int i = 0; i < n; i++) {
                float a = in[3 * i];
                float b = in[3 * i + 1];
                float c = in[3 * i + 2];
                for (int m = 0, p = i * dp1; m < dp1; m++, p++) {
                    int o = offset[p] * 3;
                    float w = weight[p];
                    val[o] += w * a;
                    val[o + 1] += w * b;
                    val[o + 2] += w * c;
                }
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            int in0 = i * v;
            for (int m = 0; m < dp1; m++) {
                int o = offset[i * dp1 + m] * v;
                float w = weight[i * dp1 + m];
                for (int k = 0; k < v; k++) {
                    val[o + k] += w * in[in0 + k];
                }
            }
        }
    }

    /** densecrf's seqCompute blur: {@code old + 0.5 * (n1 + n2)} with the sum in float and the rest in double. */
    private void blurSequential(float[] w, int cur, int nxt, int v, int axis) {
        int nb = axis * vertices * 2;
        for (int x = 1; x <= vertices; x++) {
            int o = x * v;
            int n1 = cur + neighbours[nb + 2 * x - 2] * v;
            int n2 = cur + neighbours[nb + 2 * x - 1] * v;
            for (int k = 0; k < v; k++) {
                w[nxt + o + k] = (float) (w[cur + o + k] + 0.5 * (w[n1 + k] + w[n2 + k]));
            }
        }
    }

    /** densecrf's sseCompute blur, in float. */
    private void blur(float[] w, int cur, int nxt, int v, int axis) {
        int nb = axis * vertices * 2;
        for (int x = 1; x <= vertices; x++) {
            int o = x * v;
            int n1 = cur + neighbours[nb + 2 * x - 2] * v;
            int n2 = cur + neighbours[nb + 2 * x - 1] * v;
            for (int k = 0; k < v; k++) {
                w[nxt + o + k] = w[cur + o + k] + 0.5f * (w[n1 + k] + w[n2 + k]);
            }
        }
    }

    /** {@link #blur} for 3 values per point (CLIP-ES with two classes), unrolled. */
    private void blur3(float[] w, int cur, int nxt, int axis) {
        int nb = axis * vertices * 2;
        int[] nbr = neighbours;
        for (int x = 1; x <= vertices; x++) {
            int o = x * 3;
            int n1 = cur + nbr[nb + 2 * x - 2] * 3;
            int n2 = cur + nbr[nb + 2 * x - 1] * 3;
            int c = cur + o;
            int t = nxt + o;
            w[t] = w[c] + 0.5f * (w[n1] + w[n2]);
            w[t + 1] = w[c + 1] + 0.5f * (w[n1 + 1] + w[n2 + 1]);
            w[t + 2] = w[c + 2] + 0.5f * (w[n1 + 2] + w[n2 + 2]);
        }
    }

    private void slice(float[] w, int cur, float[] out, int v) {
        int dp1 = d + 1;
        float alpha = 1.0f / (1 + (float) Math.pow(2, -d));
        boolean sequential = v <= 2;
        if (v == 3) {
            for (int i = 0; i < n; i++) {
                float a = 0;
                float b = 0;
                float c = 0;
                for (int m = 0, p = i * dp1; m < dp1; m++, p++) {
                    int o = cur + offset[p] * 3;
                    float wa = weight[p] * alpha;
                    a += wa * w[o];
                    b += wa * w[o + 1];
                    c += wa * w[o + 2];
                }
                out[3 * i] = a;
                out[3 * i + 1] = b;
                out[3 * i + 2] = c;
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            int o0 = i * v;
            for (int k = 0; k < v; k++) {
                out[o0 + k] = 0;
            }
            for (int m = 0; m < dp1; m++) {
                int o = cur + offset[i * dp1 + m] * v;
                float wt = weight[i * dp1 + m];
                if (sequential) { // densecrf's seqCompute: (weight * value) * alpha
                    for (int k = 0; k < v; k++) {
                        out[o0 + k] += wt * w[o + k] * alpha;
                    }
                } else { // its sseCompute: (weight * alpha) * value
                    float wa = wt * alpha;
                    for (int k = 0; k < v; k++) {
                        out[o0 + k] += wa * w[o + k];
                    }
                }
            }
        }
    }

    /** Computes the simplex of every point and the vertex table, then the neighbours. */
    private static final class Builder {
        private final float[] features;
        private final int d;
        private final int n;
        private final VertexTable table;

        Builder(float[] features, int d) {
            this.features = features;
            this.d = d;
            this.n = features.length / d;
            this.table = new VertexTable(d, n);
        }

        PermutohedralLattice build() {
            int dp1 = d + 1;
            // scale factors: float(sqrt(2/3) (d+1)), then float(1/sqrt((i+1)(i+2)) * that) in double
            float invStd = (float) (Math.sqrt(2.0 / 3.0) * dp1);
            float[] scale = new float[d];
            for (int i = 0; i < d; i++) {
                scale[i] = (float) (1.0 / Math.sqrt((double) (i + 2) * (i + 1)) * invStd);
            }
            float invDp1 = 1.0f / dp1;
            float fDp1 = dp1;
            short[][] canonical = new short[dp1][dp1];
            for (int m = 0; m <= d; m++) {
                for (int k = 0; k <= d; k++) {
                    canonical[m][k] = (short) (k <= d - m ? m : m - dp1);
                }
            }

            int[] offset = new int[n * dp1];
            float[] weight = new float[n * dp1];
            float[] f = new float[d];
            float[] elevated = new float[dp1];
            float[] rem0 = new float[dp1];
            int[] rank = new int[dp1];
            float[] bary = new float[d + 2];
            short[] key = new short[d];
            int padded = (n + PAD_BLOCK - 1) / PAD_BLOCK * PAD_BLOCK;
            for (int i = 0; i < padded; i++) {
                if (i < n) {
                    System.arraycopy(features, i * d, f, 0, d);
                } else {
                    Arrays.fill(f, 0f); // densecrf's padding points: their vertices exist but carry nothing
                }
                // elevate onto the plane x_0 + ... + x_d = 0
                float sm = 0f;
                for (int j = d; j > 0; j--) {
                    float cf = f[j - 1] * scale[j - 1];
                    elevated[j] = sm - j * cf;
                    sm += cf;
                }
                elevated[0] = sm;
                // nearest remainder-0 point: round half to even, as SSE's cvtps2dq in round-to-nearest mode
                float sum = 0f;
                for (int k = 0; k <= d; k++) {
                    float v = (float) Math.rint(invDp1 * elevated[k]);
                    rem0[k] = v * fDp1;
                    sum += v;
                }
                // rank of each coordinate's remainder (ties go to the later coordinate)
                Arrays.fill(rank, 0);
                for (int a = 0; a < d; a++) {
                    float da = elevated[a] - rem0[a];
                    for (int b = a + 1; b <= d; b++) {
                        int less = da < elevated[b] - rem0[b] ? 1 : 0;
                        rank[a] += less;
                        rank[b] += 1 - less;
                    }
                }
                // back onto the plane (sum is integral and small, so the float arithmetic of densecrf is exact)
                int s = (int) sum;
                for (int k = 0; k <= d; k++) {
                    rank[k] += s;
                    if (rank[k] < 0) {
                        rank[k] += dp1;
                        rem0[k] += fDp1;
                    } else if (rank[k] >= dp1) {
                        rank[k] -= dp1;
                        rem0[k] -= fDp1;
                    }
                }
                // barycentric weights
                Arrays.fill(bary, 0f);
                for (int k = 0; k <= d; k++) {
                    float v = (elevated[k] - rem0[k]) * invDp1;
                    int p = d - rank[k];
                    bary[p] += v;
                    bary[p + 1] -= v;
                }
                bary[0] += 1 + bary[d + 1];
                // the d+1 corners
                for (int m = 0; m <= d; m++) {
                    for (int k = 0; k < d; k++) {
                        int c = (int) (rem0[k] + canonical[m][rank[k]]);
                        if (c < -KEY_LIMIT || c > KEY_LIMIT) {
                            throw new IllegalArgumentException("the features of point " + Math.min(i, n - 1)
                                    + " are too large for the lattice's 16-bit vertex coordinates");
                        }
                        key[k] = (short) c;
                    }
                    int vertex = table.findOrInsert(key);
                    if (i < n) {
                        offset[i * dp1 + m] = vertex + 1;
                        weight[i * dp1 + m] = bary[m];
                    }
                }
            }
            return new PermutohedralLattice(n, d, table.size(), offset, weight, neighbours());
        }

        /**
         * For each axis j and vertex: the vertices one step back and forward along j, 1-based, 0 if absent. Only the
         * backward neighbours are looked up: u is v's backward neighbour along j exactly when v is u's forward one.
         * The vertices are visited in table order, so with the nearly additive hash the lookups for each axis move
         * through the table in step, which keeps them in cache.
         */
        private int[] neighbours() {
            int m = table.size();
            int[] out = new int[Math.multiplyExact(Math.multiplyExact(d + 1, m), 2)];
            short[] key = new short[d];
            short[] n1 = new short[d];
            for (int slot = 0, end = table.capacity(); slot < end; slot++) {
                int x = table.vertexAt(slot, key);
                if (x < 0) {
                    continue;
                }
                for (int j = 0; j <= d; j++) {
                    for (int k = 0; k < d; k++) {
                        n1[k] = (short) (key[k] - 1);
                    }
                    if (j < d) {
                        n1[j] = (short) (key[j] + d);
                    }
                    int u = table.find(n1);
                    if (u >= 0) {
                        int base = j * m * 2;
                        out[base + 2 * x] = u + 1;
                        out[base + 2 * u + 1] = x + 1;
                    }
                }
            }
            return out;
        }
    }

    /**
     * An open-addressing (linear probing) hash table from d int16 coordinates to vertex numbers. Each slot holds the
     * key packed four coordinates to a long and the vertex number + 1 (0: empty), side by side. The hash is
     * multiply-shift of a linear form of the coordinates, so it is nearly additive: {@code h(K + δ) ≈ h(K) + h(δ)},
     * and lattice neighbours, which differ by one of d+1 fixed steps, sit at nearly fixed distances in the table.
     */
    static final class VertexTable {
        private final int d;
        private final int words;
        private final int stride;
        private final long[] coefficients;
        private long[] slots; // per slot: words key words, then vertex + 1 (0 = empty)
        private int bits;
        private int size;
        private final long[] probe;

        VertexTable(int d, int expected) {
            this.d = d;
            this.words = (d + 3) / 4;
            this.stride = words + 1;
            this.coefficients = new long[d];
            long c = 0x9E3779B97F4A7C15L;
            for (int k = 0; k < d; k++) { // fixed odd "random" multipliers (splitmix64 steps)
                c += 0x9E3779B97F4A7C15L;
                long z = c;
                z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
                z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
                coefficients[k] = (z ^ (z >>> 31)) | 1L;
            }
            int target = Math.max(16, Math.min(1 << 27, 2 * Math.max(1, expected)));
            this.bits = 32 - Integer.numberOfLeadingZeros(target - 1);
            this.slots = new long[(1 << bits) * stride];
            this.probe = new long[words];
        }

        int size() {
            return size;
        }

        int capacity() {
            return 1 << bits;
        }

        /** The vertex of {@code key}, or -1. */
        int find(short[] key) {
            pack(key, probe);
            return lookup(hash(key), probe, false);
        }

        /** The vertex of {@code key}, inserted if new. */
        int findOrInsert(short[] key) {
            if (2 * (size + 1) > capacity()) {
                grow();
            }
            pack(key, probe);
            return lookup(hash(key), probe, true);
        }

        private int lookup(int h, long[] packed, boolean insert) {
            long[] t = slots;
            int mask = capacity() - 1;
            while (true) {
                int base = h * stride;
                long id = t[base + words];
                if (id == 0) {
                    if (!insert) {
                        return -1;
                    }
                    System.arraycopy(packed, 0, t, base, words);
                    t[base + words] = size + 1;
                    return size++;
                }
                boolean same = true;
                for (int w = 0; w < words && same; w++) {
                    same = t[base + w] == packed[w];
                }
                if (same) {
                    return (int) id - 1;
                }
                h = (h + 1) & mask;
            }
        }

        /** The vertex in slot {@code slot} with its coordinates in {@code key}, or -1 if the slot is empty. */
        int vertexAt(int slot, short[] key) {
            int base = slot * stride;
            long id = slots[base + words];
            if (id == 0) {
                return -1;
            }
            for (int k = 0; k < d; k++) {
                key[k] = (short) (slots[base + (k >> 2)] >>> ((k & 3) * 16));
            }
            return (int) id - 1;
        }

        private void pack(short[] key, long[] out) {
            Arrays.fill(out, 0L);
            for (int k = 0; k < d; k++) {
                out[k >> 2] |= (key[k] & 0xffffL) << ((k & 3) * 16);
            }
        }

        private int hash(short[] key) {
            long h = 0;
            for (int k = 0; k < d; k++) {
                h += key[k] * coefficients[k];
            }
            return (int) (h >>> (64 - bits));
        }

        private void grow() {
            long[] old = slots;
            int oldCapacity = capacity();
            bits++;
            slots = new long[(1 << bits) * stride];
            int mask = capacity() - 1;
            short[] key = new short[d];
            for (int s = 0; s < oldCapacity; s++) {
                int base = s * stride;
                if (old[base + words] == 0) {
                    continue;
                }
                for (int k = 0; k < d; k++) {
                    key[k] = (short) (old[base + (k >> 2)] >>> ((k & 3) * 16));
                }
                int h = hash(key);
                while (slots[h * stride + words] != 0) {
                    h = (h + 1) & mask;
                }
                System.arraycopy(old, base, slots, h * stride, stride);
            }
        }
    }
}
