package org.clipwsss.runtime.select;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * POLE's per-dataset mode: the candidate with the highest mean probability over the images of that class.
 */
public final class DatasetSelection {
    private final Map<String, Map<String, double[]>> sums = new LinkedHashMap<>();

    /** Adds one image's scores. */
    public synchronized void add(List<SynonymScores> scores) {
        for (SynonymScores s : scores) {
            Map<String, double[]> perCandidate = sums.computeIfAbsent(s.label(), k -> new LinkedHashMap<>());
            for (int j = 0; j < s.candidates().size(); j++) {
                double[] acc = perCandidate.computeIfAbsent(s.candidates().get(j), k -> new double[2]);
                acc[0] += s.probability()[j];
                acc[1] += 1;
            }
        }
    }

    /** label -> chosen name; labels never seen are absent. */
    public synchronized Map<String, String> choices() {
        Map<String, String> out = new LinkedHashMap<>();
        sums.forEach((label, perCandidate) -> {
            String best = null;
            double bestMean = Double.NEGATIVE_INFINITY;
            for (Map.Entry<String, double[]> e : perCandidate.entrySet()) {
                double mean = e.getValue()[0] / e.getValue()[1];
                if (mean > bestMean) {
                    bestMean = mean;
                    best = e.getKey();
                }
            }
            out.put(label, best);
        });
        return out;
    }

    /** label -> candidate -> {sum of probabilities, images}: what shards write for the dataset-wide choice. */
    public synchronized Map<String, Map<String, double[]>> sums() {
        Map<String, Map<String, double[]>> out = new LinkedHashMap<>();
        sums.forEach((label, perCandidate) -> {
            Map<String, double[]> m = new LinkedHashMap<>();
            perCandidate.forEach((c, acc) -> m.put(c, acc.clone()));
            out.put(label, m);
        });
        return out;
    }

    /** Adds another part's sums (a shard's), as if its images had been added here. */
    public synchronized void merge(Map<String, Map<String, double[]>> other) {
        other.forEach((label, perCandidate) -> perCandidate.forEach((c, acc) -> {
            double[] mine = sums.computeIfAbsent(label, k -> new LinkedHashMap<>()).computeIfAbsent(c, k -> new double[2]);
            mine[0] += acc[0];
            mine[1] += acc[1];
        }));
    }

    /** label -> candidate -> mean probability. */
    public synchronized Map<String, Map<String, Double>> means() {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        sums.forEach((label, perCandidate) -> {
            Map<String, Double> m = new LinkedHashMap<>();
            perCandidate.forEach((c, acc) -> m.put(c, acc[0] / acc[1]));
            out.put(label, m);
        });
        return out;
    }
}
