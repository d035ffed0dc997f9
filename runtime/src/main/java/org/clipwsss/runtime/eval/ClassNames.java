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
     * Reads a class list file as segmenting does ({@link org.clipwsss.runtime.prompts.ClassList#load}: one class per
     * line, a first line {@code background} optional, names matched regardless of case, at most 254 classes) and
     * returns the names by mask value: background first.
     */
    public static List<String> read(Path file) {
        return org.clipwsss.runtime.prompts.ClassList.load(file).withBackground();
    }
}
