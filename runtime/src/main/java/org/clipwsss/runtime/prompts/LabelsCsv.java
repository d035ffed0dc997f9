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
        for (CsvRows.Row row : CsvRows.read(file, "image,labels")) {
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
        if (java.nio.file.Files.isRegularFile(Path.of(labels))) {
            LabelsCsv table = load(Path.of(labels));
            return f -> table.labelsFor(f.getFileName().toString());
        }
        List<String> fixed = Arrays.stream(labels.split(";")).map(String::trim).filter(t -> !t.isEmpty()).toList();
        return f -> fixed;
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
