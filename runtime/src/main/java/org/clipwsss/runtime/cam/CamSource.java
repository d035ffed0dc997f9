package org.clipwsss.runtime.cam;

import java.util.List;

/** Turns an image and its classes into class activation maps (one per class, at image resolution, in [0,1]). */
public interface CamSource {
    Cams compute(ImageContext image, List<ClassPrompt> classes);

    /**
     * Readies, before a batch's first image, what maps for these classes will need (e.g. their prompts' text
     * embeddings, encoded in one run instead of an image's few at a time, or a graph per label count, given the
     * batch's {@code labelCounts}); a source that needs nothing ahead keeps this default, which does nothing.
     */
    default void prepare(List<ClassPrompt> classes, java.util.SortedSet<Integer> labelCounts) {
        // nothing to ready ahead for this source
    }

    /** Whether the maps depend on the prompt names (so a synonym change needs a recomputation). */
    boolean usesPromptNames();

    /** A short description for run.json and CAM metadata. */
    String description();
}
