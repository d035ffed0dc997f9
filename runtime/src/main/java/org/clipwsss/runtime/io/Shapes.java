package org.clipwsss.runtime.io;

import java.nio.file.Path;
import java.util.StringJoiner;

import org.clipwsss.runtime.ClipWsssException;

/** Small helpers for n-d shapes ({@code long[]}, C order): element counts, formatting and shape checks. */
public final class Shapes {
    private Shapes() {
    }

    /**
     * The number of elements of {@code shape} (1 for a 0-d shape).
     *
     * @throws IllegalArgumentException if a dimension is negative or the product overflows a {@code long}
     */
    public static long size(long... shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + format(shape));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("shape " + format(shape) + " has too many elements", e);
            }
        }
        return n;
    }

    /** "[2, 3, 224, 224]"; a -1 (any size) is written as "*". */
    public static String format(long... shape) {
        StringJoiner j = new StringJoiner(", ", "[", "]");
        for (long d : shape) {
            j.add(d == -1 ? "*" : Long.toString(d));
        }
        return j.toString();
    }

    /**
     * Checks that {@code actual} matches {@code expected}, where -1 in {@code expected} matches any size.
     *
     * @param source the file the array came from, named in the error
     * @param what   what the array is, e.g. "pixel_values" or "tensor 'visual_projection.weight'"
     * @throws ClipWsssException "SOURCE: WHAT has shape [2, 3] but [*, 77] was expected"
     */
    public static void require(Path source, String what, long[] actual, long... expected) {
        boolean ok = actual.length == expected.length;
        for (int i = 0; ok && i < actual.length; i++) {
            ok = expected[i] == -1 || expected[i] == actual[i];
        }
        if (!ok) {
            throw ClipWsssException.file(source,
                    what + " has shape " + format(actual) + " but " + format(expected) + " was expected");
        }
    }
}
