package org.clipwsss.runtime.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.IoProblems;
import org.clipwsss.runtime.mask.LabelImage;

/** The names of a dataset's classes; a class's index in the list is its mask value (0 = background). */
public final class ClassNames {
    /** PASCAL VOC's 21 classes. */
    public static final List<String> VOC = List.of("background", "aeroplane", "bicycle", "bird", "boat", "bottle",
            "bus", "car", "cat", "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant",
            "sheep", "sofa", "train", "tvmonitor");

    private ClassNames() {
    }

    /**
     * Reads one class name per line (line index = mask value), as VOC's {@code classes.txt}. Names are trimmed;
     * blank lines at the end are dropped.
     *
     * @throws ClipWsssException naming the file when it cannot be read, is empty, has a blank line or a repeated
     *     name, or has more than 255 names (255 is the ignore value)
     */
    public static List<String> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ClipWsssException.file(file, IoProblems.describe("could not read the class names", e), e);
        }
        List<String> names = new ArrayList<>(lines.stream().map(String::strip).toList());
        while (!names.isEmpty() && names.get(names.size() - 1).isEmpty()) {
            names.remove(names.size() - 1);
        }
        if (names.isEmpty() || names.size() > LabelImage.IGNORE) {
            throw ClipWsssException.file(file, "has " + names.size() + " class names; 1 to 255 are needed");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).isEmpty() || !seen.add(names.get(i))) {
                throw ClipWsssException.file(file, "line " + (i + 1) + (names.get(i).isEmpty() ? " is blank"
                        : " repeats the class name '" + names.get(i) + "'"));
            }
        }
        return List.copyOf(names);
    }
}
