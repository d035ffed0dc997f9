package org.clipwsss.runtime.pipeline;

import java.util.List;
import org.clipwsss.runtime.cam.Cams;
import org.clipwsss.runtime.cam.ClassPrompt;
import org.clipwsss.runtime.select.SynonymScores;

/** What the pipeline gives for one image: the final CAMs, the names used for each class, and the selection scores. */
public record ImageResult(Cams cams, List<ClassPrompt> prompts, List<SynonymScores> selections) {
    public ImageResult {
        prompts = List.copyOf(prompts);
        selections = List.copyOf(selections);
    }
}
