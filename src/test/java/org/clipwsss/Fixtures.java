package org.clipwsss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;

/** Where the test fixtures live, and float comparisons that say by how much they differ. */
public final class Fixtures {
    /** The conformance fixtures copied from ../shared/conformance. */
    public static final Path CONFORMANCE = Path.of("src/test/resources/conformance");
    /** The bundled small model (a copy of conformance/clip-tiny without its reference folder). */
    public static final Path CLIP_TINY = Path.of("onnx-models/clip-tiny");
    public static final Path CLIP_ODD = CONFORMANCE.resolve("clip-odd");

    private Fixtures() {
    }

    public static Path model(String name) {
        return name.equals("clip-tiny") ? CLIP_TINY : CONFORMANCE.resolve(name);
    }

    public static NpyArray reference(String model, String file) {
        Path p = CONFORMANCE.resolve(model).resolve("reference").resolve(file + ".npy");
        assertTrue(Files.isRegularFile(p), "missing fixture " + p);
        return Npy.read(p);
    }

    /** Largest absolute difference; fails if shapes differ. */
    public static double maxAbsDiff(NpyArray expected, NpyArray actual) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        float[] e = expected.toFloats();
        float[] a = actual.toFloats();
        double max = 0;
        for (int i = 0; i < e.length; i++) {
            double d = Math.abs((double) e[i] - a[i]);
            if (Double.isNaN(d)) {
                return Double.POSITIVE_INFINITY;
            }
            max = Math.max(max, d);
        }
        return max;
    }

    public static void assertClose(NpyArray expected, NpyArray actual, double tol, String what) {
        double d = maxAbsDiff(expected, actual);
        assertTrue(d <= tol, what + ": max abs diff " + d + " > " + tol);
    }
}
