package org.clipwsss.runtime.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The scores of pseudo masks from saved CAMs at each background threshold of a sweep.
 *
 * @param points        one line per threshold, ascending
 * @param bestThreshold the threshold with the highest mIoU (the lowest of equal ones)
 * @param best          the full scores at {@code bestThreshold}, with the images scored and the problems
 */
public record SweepResult(List<Point> points, float bestThreshold, EvaluationResult best)
        implements EvaluationReport {

    /** The scores at one threshold. */
    public record Point(float threshold, double meanIoU, double pixelAccuracy) {
    }

    public SweepResult {
        points = List.copyOf(points);
    }

    /** Pretty-printed JSON: the sweep, the best threshold and the full scores there. */
    @Override
    public String toJson() {
        ObjectNode root = Reports.JSON.createObjectNode();
        root.put("bestThreshold", bestThreshold);
        root.put("bestMIoU", Reports.orNull(best.meanIoU()));
        ArrayNode list = root.putArray("thresholds");
        for (Point p : points) {
            list.addObject().put("threshold", p.threshold()).put("mIoU", Reports.orNull(p.meanIoU()))
                    .put("pixelAccuracy", Reports.orNull(p.pixelAccuracy()));
        }
        root.set("best", best.toJsonNode());
        return Reports.json(root);
    }

    /** The mIoU per threshold, then the table of {@link EvaluationResult#toTable()} at the best threshold. */
    @Override
    public String toTable() {
        StringBuilder out = new StringBuilder(String.format("%9s  %7s  %14s%n", "threshold", "mIoU", "pixel accuracy"));
        for (Point p : points) {
            out.append(String.format("%9s  %7s  %14s%s%n", p.threshold(), Reports.score(p.meanIoU()),
                    Reports.score(p.pixelAccuracy()), p.threshold() == bestThreshold ? "  <- best" : ""));
        }
        out.append(String.format("%nbest background threshold %s:%n", bestThreshold));
        return out.append(best.toTable()).toString();
    }
}
