package org.clipwsss.runtime.cam;

import java.util.List;

/** Turns an image and its classes into class activation maps (one per class, at image resolution, in [0,1]). */
public interface CamSource {
    Cams compute(ImageContext image, List<ClassPrompt> classes);

    /** Whether the maps depend on the prompt names (so a synonym change needs a recomputation). */
    boolean usesPromptNames();

    /** A short description for run.json and CAM metadata. */
    String description();
}
