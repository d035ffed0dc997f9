package org.clipwsss.runtime.select;

import java.util.List;

/** Every candidate's score for one class of one image, and the one kept (the highest probability). */
public record SynonymScores(String label, List<String> candidates, float[] cosine, float[] probability, String selected) {
    public SynonymScores {
        candidates = List.copyOf(candidates);
    }

    public float selectedProbability() {
        return probability[candidates.indexOf(selected)];
    }
}
