package org.clipwsss.runtime.prompts;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.clipwsss.runtime.ClipWsssException;

/**
 * Image-level labels: lines {@code NAME,label1;label2} under an optional header {@code image,labels}. An image may
 * be named with or without its extension; labels are trimmed and empty ones dropped, so {@code NAME,} is an image
 * without foreground classes.
 */
public final class LabelsCsv {
    private final Map<String, List<String>> byImage;

    private LabelsCsv(Map<String, List<String>> byImage) {
        this.byImage = byImage;
    }

    /**
     * @throws ClipWsssException naming the file and line for a line without a comma, an empty image name or an image
     *                           listed twice
     */
    public static LabelsCsv load(Path file) {
        Map<String, List<String>> byImage = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new LinkedHashMap<>();
        List<CsvRows.Row> rows = CsvRows.read(file, "image,labels");
        if (!rows.isEmpty() && looksLikeAHeader(rows.get(0))) {
            throw ClipWsssException.file(file, "line " + rows.get(0).line() + ": the header '" + rows.get(0).first() + ","
                    + rows.get(0).second() + "' is not 'image,labels' (write that header, or none)");
        }
        for (CsvRows.Row row : rows) {
            String image = row.first();
            if (image.isEmpty()) {
                throw ClipWsssException.file(file, "line " + row.line() + ": empty image name");
            }
            Integer earlier = lineOf.putIfAbsent(image, row.line());
            if (earlier != null) {
                throw ClipWsssException.file(file,
                        "line " + row.line() + ": image '" + image + "' is already listed on line " + earlier);
            }
            byImage.put(image, Arrays.stream(row.second().split(";")).map(String::strip).filter(l -> !l.isEmpty())
                    .toList());
        }
        return new LabelsCsv(Collections.unmodifiableMap(byImage));
    }

    /**
     * The labels of an image file: the row named exactly {@code imageFileName}, else the row named without its
     * extension ({@code 2007_000032.jpg} -> {@code 2007_000032}); null when there is no such row.
     */
    /**
     * The labels of an image file, as the commands take them: {@code labels} names a labels.csv, or is one
     * ;-separated label set that every image has.
     */
    public static java.util.function.Function<Path, List<String>> lookup(String labels) {
        Path csv = fileOrNull(labels);
        if (csv != null) {
            LabelsCsv table = load(csv);
            return f -> table.labelsFor(f.getFileName().toString());
        }
        List<String> fixed = Arrays.stream(labels.split(";")).map(String::trim).filter(t -> !t.isEmpty()).toList();
        return f -> fixed;
    }

    private static final java.util.Set<String> IMAGE_WORDS = java.util.Set.of("image", "images", "img", "file", "filename",
            "file_name", "name", "id", "image_id", "path");
    private static final java.util.Set<String> LABEL_WORDS = java.util.Set.of("labels", "label", "tags", "tag", "classes", "class",
            "category", "categories");

    /** A first row that is a header other than image,labels (e.g. filename,tags), not an image and its labels. */
    private static boolean looksLikeAHeader(CsvRows.Row row) {
        return IMAGE_WORDS.contains(row.first().toLowerCase(java.util.Locale.ROOT))
                || LABEL_WORDS.contains(row.second().toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * {@code labels} as the commands take it: the labels.csv it names, or null when it is a label set ("cat;dog").
     * A value that looks like a path (it has a / or \ or ends with .csv or .txt) but names no file is an error, so
     * that a typo in a file name does not become one class named after it.
     */
    public static Path fileOrNull(String labels) {
        if (labels == null) {
            return null;
        }
        String t = labels.strip();
        Path p;
        try {
            p = Path.of(t);
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
        if (java.nio.file.Files.isRegularFile(p)) {
            return p;
        }
        String lower = t.toLowerCase(java.util.Locale.ROOT);
        if (t.contains("/") || t.contains("\\") || lower.endsWith(".csv") || lower.endsWith(".txt")) {
            throw ClipWsssException.file(p, java.nio.file.Files.exists(p) ? "not a file (a labels.csv was expected)"
                    : "labels file not found (give an existing labels.csv, or a label set such as cat;dog)");
        }
        return null;
    }

    public List<String> labelsFor(String imageFileName) {
        List<String> labels = byImage.get(imageFileName);
        int dot = imageFileName.lastIndexOf('.');
        return labels != null || dot <= 0 ? labels : byImage.get(imageFileName.substring(0, dot));
    }

    /** Every label, in order of first appearance. */
    public List<String> allLabels() {
        Set<String> all = new LinkedHashSet<>();
        byImage.values().forEach(all::addAll);
        return List.copyOf(all);
    }

    /** The number of images (rows). */
    public int size() {
        return byImage.size();
    }

    /** The image names as written in the file, in file order. */
    public Set<String> imageNames() {
        return byImage.keySet();
    }
}
