package org.clipwsss.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Test helpers for runs that must write the same outputs whichever way they are split (shards, Spark tasks): a folder
 * of VOC images with a broken file, and the comparison of two output folders byte for byte. Shared by the root build's
 * tests and the Spark build's (src/test/shared).
 */
public final class OutputFolders {
    /** The shared VOC sample when it is beside the checkout. */
    public static final Path VOC = Path.of("../shared/data/voc2012-sample");
    /** The three VOC images bundled with the tests. */
    public static final Path SMALL = Path.of("src/test/resources/voc-sample");

    private OutputFolders() {
    }

    /**
     * {@code tmp/in}: the first {@code n} images of the shared sample (else the 3 bundled ones) and a broken file
     * {@code 2007_zz_broken.jpg}; {@code tmp/labels.csv}: their labels, the broken file's "cat".
     */
    public static Path images(Path tmp, int n) throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Path root = Files.isDirectory(VOC.resolve("JPEGImages")) ? VOC : SMALL;
        try (Stream<Path> s = Files.list(root.resolve("JPEGImages"))) {
            for (Path p : s.sorted().limit(n).toList()) {
                Files.copy(p, in.resolve(p.getFileName()));
            }
        }
        Files.writeString(in.resolve("2007_zz_broken.jpg"), "not a JPEG");
        List<String> rows = new ArrayList<>(Files.readAllLines(root.resolve("labels.csv")));
        rows.add("2007_zz_broken,cat");
        Files.write(tmp.resolve("labels.csv"), rows);
        return in;
    }

    /** Every per-image output and selection.csv, errors.csv, classes.txt: the same files, the same bytes. */
    public static void assertSameOutputs(Path a, Path b) throws Exception {
        assertSameOutputs(a, b, true);
    }

    /** As {@link #assertSameOutputs(Path, Path)}; without {@code errorsToo}, errors.csv need only be there in both. */
    public static void assertSameOutputs(Path a, Path b, boolean errorsToo) throws Exception {
        TreeSet<String> fa = files(a);
        assertEquals(fa, files(b), "the same output files, none missing, none extra");
        assertTrue(fa.stream().filter(f -> f.startsWith("masks/")).count() >= 3, fa.toString());
        if (!errorsToo) {
            fa.remove("errors.csv");
        }
        for (String f : fa) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
        }
    }

    private static TreeSet<String> files(Path out) throws Exception {
        TreeSet<String> names = new TreeSet<>();
        for (String d : new String[] {"cams", "masks", "overlays"}) {
            try (Stream<Path> s = Files.list(out.resolve(d))) {
                s.forEach(p -> names.add(d + "/" + p.getFileName()));
            }
        }
        names.addAll(List.of("selection.csv", "errors.csv", "classes.txt"));
        return names;
    }

    /** How many masks an output folder holds (0 before it exists). */
    public static long masks(Path out) throws Exception {
        if (!Files.isDirectory(out.resolve("masks"))) {
            return 0;
        }
        try (Stream<Path> s = Files.list(out.resolve("masks"))) {
            return s.filter(f -> f.toString().endsWith(".png")).count();
        }
    }
}
