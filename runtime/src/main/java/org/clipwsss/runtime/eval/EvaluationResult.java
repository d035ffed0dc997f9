package org.clipwsss.runtime.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The scores of a set of predicted masks against their ground truth. Undefined scores (a class with no pixels on
 * either side, or never predicted) are NaN here, null in JSON and "-" in the table.
 *
 * @param classes       one score line per class, in class-index order
 * @param meanIoU       the mean IoU over the classes whose IoU is defined
 * @param pixelAccuracy correct pixels / scored pixels
 * @param pixels        scored pixels (ground truth not 255)
 * @param unassigned    scored pixels predicted as no class (a value beyond the class list, or 255)
 * @param images        images scored
 * @param problems      one line per prediction that could not be scored, naming its file
 * @param coverage      how the predictions and the ground truth paired up
 */
public record EvaluationResult(List<ClassScore> classes, double meanIoU, double pixelAccuracy, long pixels,
        long unassigned, int images, List<String> problems, Coverage coverage) implements EvaluationReport {

    /** Problem lines the table shows; the JSON has them all. */
    static final int TABLE_PROBLEMS = 20;
    /** Names of ground-truth masks without a prediction the table shows. */
    static final int TABLE_NAMES = 5;

    /**
     * Which masks were left out of the scores.
     *
     * @param groundTruth        ground-truth masks in the folder
     * @param withoutPrediction  names of ground-truth masks that have no prediction (sorted)
     * @param withoutGroundTruth predictions with no ground-truth mask
     * @param sizeMismatches     predictions of another size than their ground truth
     */
    public record Coverage(int groundTruth, List<String> withoutPrediction, int withoutGroundTruth,
            int sizeMismatches) {
        public Coverage {
            withoutPrediction = List.copyOf(withoutPrediction);
        }

        /** Nothing known about the pairing. */
        public static Coverage unknown() {
            return new Coverage(0, List.of(), 0, 0);
        }
    }

    /** The scores of one class; false negatives include its unassigned pixels. */
    public record ClassScore(int index, String name, double iou, double precision, double recall, long truePositives,
            long falsePositives, long falseNegatives) {
    }

    public EvaluationResult {
        classes = List.copyOf(classes);
        problems = List.copyOf(problems);
        coverage = coverage == null ? Coverage.unknown() : coverage;
    }

    /** Scores without {@link Coverage} (nothing known about masks left out). */
    public EvaluationResult(List<ClassScore> classes, double meanIoU, double pixelAccuracy, long pixels,
            long unassigned, int images, List<String> problems) {
        this(classes, meanIoU, pixelAccuracy, pixels, unassigned, images, problems, Coverage.unknown());
    }

    /** The scores of {@code matrix}, whose classes are named {@code names}. */
    public static EvaluationResult of(ConfusionMatrix matrix, List<String> names, int images, List<String> problems) {
        return of(matrix, names, images, problems, Coverage.unknown());
    }

    /** The scores of {@code matrix}, whose classes are named {@code names}, and what was left out. */
    public static EvaluationResult of(ConfusionMatrix matrix, List<String> names, int images, List<String> problems,
            Coverage coverage) {
        if (names.size() != matrix.classes()) {
            throw new IllegalArgumentException(names.size() + " names for " + matrix.classes() + " classes");
        }
        List<ClassScore> scores = new ArrayList<>();
        for (int c = 0; c < matrix.classes(); c++) {
            scores.add(new ClassScore(c, names.get(c), matrix.iou(c), matrix.precision(c), matrix.recall(c),
                    matrix.truePositives(c), matrix.falsePositives(c), matrix.falseNegatives(c)));
        }
        return new EvaluationResult(scores, matrix.meanIoU(), matrix.pixelAccuracy(), matrix.pixels(),
                matrix.unassigned(), images, problems, coverage);
    }

    /** True when not a single image was scored (the scores are then all undefined). */
    public boolean nothingScored() {
        return images == 0;
    }

    /**
     * One line saying why images were left out: "N of M ground-truth masks have no prediction (a, b, ...)",
     * "N predictions have no ground truth", "N ... of another size"; empty when nothing was left out.
     */
    public String leftOutSummary() {
        List<String> parts = new ArrayList<>();
        List<String> missing = coverage.withoutPrediction();
        if (!missing.isEmpty()) {
            parts.add(missing.size() + " of " + coverage.groundTruth() + " ground-truth mask"
                    + (coverage.groundTruth() == 1 ? "" : "s") + (missing.size() == 1 ? " has" : " have")
                    + " no prediction (" + examples(missing) + ")");
        }
        if (coverage.withoutGroundTruth() > 0) {
            parts.add(coverage.withoutGroundTruth() + " prediction" + (coverage.withoutGroundTruth() == 1 ? " has" : "s have")
                    + " no ground truth");
        }
        if (coverage.sizeMismatches() > 0) {
            parts.add(coverage.sizeMismatches() + " prediction" + (coverage.sizeMismatches() == 1 ? " is" : "s are")
                    + " not the size of " + (coverage.sizeMismatches() == 1 ? "its" : "their") + " ground truth");
        }
        int other = problems.size() - coverage.withoutGroundTruth() - coverage.sizeMismatches();
        if (other > 0) {
            parts.add(other + " other problem" + (other == 1 ? "" : "s"));
        }
        return String.join("; ", parts);
    }

    private static String examples(List<String> names) {
        String shown = String.join(", ", names.subList(0, Math.min(TABLE_NAMES, names.size())));
        return names.size() > TABLE_NAMES ? shown + ", ... " + (names.size() - TABLE_NAMES) + " more" : shown;
    }

    /** The number of classes whose IoU is defined (those in the mean). */
    public long scoredClasses() {
        return classes.stream().filter(c -> !Double.isNaN(c.iou())).count();
    }

    /** Pretty-printed JSON: mIoU, pixelAccuracy, counts, per-class scores and problems. */
    @Override
    public String toJson() {
        return Reports.json(toJsonNode());
    }

    ObjectNode toJsonNode() {
        ObjectNode root = Reports.JSON.createObjectNode();
        root.put("mIoU", Reports.orNull(meanIoU));
        root.put("pixelAccuracy", Reports.orNull(pixelAccuracy));
        root.put("images", images);
        root.put("pixels", pixels);
        root.put("unassignedPixels", unassigned);
        root.put("nothingScored", nothingScored());
        root.put("groundTruthMasks", coverage.groundTruth());
        root.put("withoutGroundTruth", coverage.withoutGroundTruth());
        root.put("sizeMismatches", coverage.sizeMismatches());
        ArrayNode unpredicted = root.putArray("withoutPrediction");
        coverage.withoutPrediction().forEach(unpredicted::add);
        ArrayNode list = root.putArray("classes");
        for (ClassScore c : classes) {
            list.addObject().put("index", c.index()).put("name", c.name()).put("iou", Reports.orNull(c.iou()))
                    .put("precision", Reports.orNull(c.precision())).put("recall", Reports.orNull(c.recall()))
                    .put("tp", c.truePositives()).put("fp", c.falsePositives()).put("fn", c.falseNegatives());
        }
        ArrayNode problemList = root.putArray("problems");
        problems.forEach(problemList::add);
        return root;
    }

    /** An aligned plain-text table, one class a line, then the summary and the problems. */
    @Override
    public String toTable() {
        int nameWidth = Math.max(5, classes.stream().mapToInt(c -> c.name().length()).max().orElse(0));
        String row = "%-" + nameWidth + "s  %7s  %9s  %7s  %12s  %12s  %12s%n";
        StringBuilder out = new StringBuilder(String.format(row, "class", "IoU", "precision", "recall", "TP", "FP",
                "FN"));
        for (ClassScore c : classes) {
            out.append(String.format(row, c.name(), Reports.score(c.iou()), Reports.score(c.precision()),
                    Reports.score(c.recall()), c.truePositives(), c.falsePositives(), c.falseNegatives()));
        }
        out.append(String.format("mIoU %s over %d of %d classes; pixel accuracy %s%n", Reports.score(meanIoU),
                scoredClasses(), classes.size(), Reports.score(pixelAccuracy)));
        out.append(String.format("%d image%s, %d scored pixels, %d predicted as no class%n", images,
                images == 1 ? "" : "s", pixels, unassigned));
        if (nothingScored()) {
            out.append("NOTHING WAS SCORED: no prediction has a ground-truth mask of its size; the scores above are"
                    + " undefined\n");
        }
        String leftOut = leftOutSummary();
        if (!leftOut.isEmpty()) {
            out.append("left out: ").append(leftOut).append('\n');
        }
        if (problems.size() <= TABLE_PROBLEMS) {
            Reports.appendProblems(out, problems);
        } else {
            out.append(problems.size()).append(" problems (the first ").append(TABLE_PROBLEMS)
                    .append(" here, all in the JSON report):\n");
            for (String p : problems.subList(0, TABLE_PROBLEMS)) {
                out.append("  ").append(p).append('\n');
            }
        }
        return out.toString();
    }
}
