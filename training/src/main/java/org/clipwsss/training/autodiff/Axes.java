package org.clipwsss.training.autodiff;

import java.util.Arrays;

/** Shape arithmetic on {@code long[]} shapes: broadcasting, permutations, squeezes and reductions. */
final class Axes {
    private Axes() {
    }

    static int normalize(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
        }
        return (int) a;
    }

    static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Numpy-style broadcast of two shapes. */
    static long[] broadcast(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** The axes of {@code full} that were broadcast from {@code target} (leading extra axes and 1-dims). */
    static long[] broadcastAxes(long[] full, long[] target) {
        int lead = full.length - target.length;
        return java.util.stream.IntStream.range(0, full.length)
                .filter(i -> i < lead || (target[i - lead] == 1 && full[i] != 1)).asLongStream().toArray();
    }

    static long[] permute(long[] x, long[] perm) {
        long[] out = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            out[i] = x[(int) perm[i]];
        }
        return out;
    }

    static long[] inverse(long[] perm) {
        long[] inv = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inv[(int) perm[i]] = i;
        }
        return inv;
    }

    /** Removes the given axes (all 1-dims when {@code axes} is null). */
    static long[] squeeze(long[] x, long[] axes) {
        boolean[] drop = new boolean[x.length];
        if (axes == null) {
            for (int i = 0; i < x.length; i++) {
                drop[i] = x[i] == 1;
            }
        } else {
            for (long a : axes) {
                drop[normalize(a, x.length)] = true;
            }
        }
        return java.util.stream.IntStream.range(0, x.length).filter(i -> !drop[i]).mapToLong(i -> x[i]).toArray();
    }

    static long[] unsqueeze(long[] x, long[] axes) {
        int rank = x.length + axes.length;
        boolean[] added = new boolean[rank];
        for (long a : axes) {
            added[normalize(a, rank)] = true;
        }
        long[] out = new long[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            out[i] = added[i] ? 1 : x[j++];
        }
        return out;
    }

    /** The shape after reducing {@code axes} (all when null), keeping them as 1-dims or dropping them. */
    static long[] reduce(long[] x, long[] axes, boolean keepDims) {
        long[] kept = x.clone();
        boolean[] reduced = new boolean[x.length];
        for (int i = 0; i < x.length; i++) {
            int axis = i;
            reduced[i] = axes == null || Arrays.stream(axes).anyMatch(a -> normalize(a, x.length) == axis);
        }
        for (int i = 0; i < x.length; i++) {
            if (reduced[i]) {
                kept[i] = 1;
            }
        }
        return keepDims ? kept : java.util.stream.IntStream.range(0, x.length).filter(i -> !reduced[i]).mapToLong(i -> x[i]).toArray();
    }

    static long[] range(int from, int to) {
        return java.util.stream.LongStream.range(from, to).toArray();
    }
}
