package org.clipwsss.runtime.prompts;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.AtomicFiles;

/**
 * A run's foreground classes. Label value 0 is always background, so class {@code names().get(i)} has label value
 * {@code i + 1}. Class names are matched regardless of case, spaces and underscores. The one reader of class list
 * files, for segmenting and for evaluating alike (a first line {@code background} optional).
 */
public final class ClassList {
    public static final String BACKGROUND = "background";
    /** The most foreground classes: mask values 1..254 (0 background, 255 ignore). */
    public static final int MAX_CLASSES = 254;

    private static final List<String> VOC = List.of("aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car",
            "cat", "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa",
            "train", "tvmonitor");

    private final List<String> names;
    private final Map<String, Integer> indexByKey;

    private ClassList(List<String> names, Map<String, Integer> indexByKey) {
        this.names = names;
        this.indexByKey = indexByKey;
    }

    /** One class per line; blank lines skipped; a first line {@code background} (any case) dropped. */
    public static ClassList load(Path file) {
        List<String> lines = PromptFiles.lines(file).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return build(lines, problem -> ClipWsssException.file(file, problem));
    }

    /** The given classes (a leading {@code background} is dropped). */
    public static ClassList of(List<String> names) {
        return build(names, problem -> new ClipWsssException("class list: " + problem));
    }

    /** The 20 PASCAL VOC classes in VOC order. */
    public static ClassList voc() {
        return of(VOC);
    }

    /** The foreground classes, without background. */
    public List<String> names() {
        return names;
    }

    /** {@code background} followed by {@link #names()}: index = label value. */
    public List<String> withBackground() {
        List<String> all = new ArrayList<>(names.size() + 1);
        all.add(BACKGROUND);
        all.addAll(names);
        return List.copyOf(all);
    }

    /** The class's label value (1-based), or -1 for an unknown class. */
    public int indexOf(String className) {
        return indexByKey.getOrDefault(ClassNames.key(className), -1);
    }

    public int size() {
        return names.size();
    }

    private static ClassList build(List<String> names, Function<String, ClipWsssException> error) {
        List<String> kept = !names.isEmpty() && names.get(0).strip().equalsIgnoreCase(BACKGROUND)
                ? names.subList(1, names.size()) : names;
        if (kept.isEmpty()) {
            throw error.apply("no classes besides background");
        }
        if (kept.size() > MAX_CLASSES) {
            throw error.apply(kept.size() + " classes; at most " + MAX_CLASSES + " fit an 8-bit mask (0 is background, 255 marks"
                    + " uncertain pixels)");
        }
        Map<String, Integer> indexByKey = new HashMap<>();
        for (String name : kept) {
            String key = ClassNames.key(name);
            if (key.isEmpty()) {
                throw error.apply("empty class name");
            } else if (key.equals(BACKGROUND)) {
                throw error.apply("'background' may only come first (label value 0)");
            } else if (indexByKey.putIfAbsent(key, indexByKey.size() + 1) != null) {
                throw error.apply("class '" + name + "' is listed twice");
            }
        }
        return new ClassList(List.copyOf(kept), Map.copyOf(indexByKey));
    }

    /** Writes {@code background} and the classes, one per line, atomically. */
    public void writeTo(Path file) {
        AtomicFiles.writeString(file, String.join("\n", withBackground()) + "\n");
    }
}
