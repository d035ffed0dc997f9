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
 */
public record EvaluationResult(List<ClassScore> classes, double meanIoU, double pixelAccuracy, long pixels,
        long unassigned, int images, List<String> problems) implements EvaluationReport {

    /** The scores of one class; false negatives include its unassigned pixels. */
    public record ClassScore(int index, String name, double iou, double precision, double recall, long truePositives,
            long falsePositives, long falseNegatives) {
    }

    public EvaluationResult {
        classes = List.copyOf(classes);
        problems = List.copyOf(problems);
    }

    /** The scores of {@code matrix}, whose classes are named {@code names}. */
    public static EvaluationResult of(ConfusionMatrix matrix, List<String> names, int images, List<String> problems) {
        if (names.size() != matrix.classes()) {
            throw new IllegalArgumentException(names.size() + " names for " + matrix.classes() + " classes");
        }
        List<ClassScore> scores = new ArrayList<>();
        for (int c = 0; c < matrix.classes(); c++) {
            scores.add(new ClassScore(c, names.get(c), matrix.iou(c), matrix.precision(c), matrix.recall(c),
                    matrix.truePositives(c), matrix.falsePositives(c), matrix.falseNegatives(c)));
        }
        return new EvaluationResult(scores, matrix.meanIoU(), matrix.pixelAccuracy(), matrix.pixels(),
                matrix.unassigned(), images, problems);
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
        Reports.appendProblems(out, problems);
        return out.toString();
    }
}
