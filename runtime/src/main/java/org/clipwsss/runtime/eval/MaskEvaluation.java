package org.clipwsss.runtime.eval;

import java.nio.file.Path;
import java.util.List;
import org.clipwsss.runtime.mask.LabelImage;
import org.clipwsss.runtime.mask.PalettePng;

/** Scores a folder of predicted masks against a folder of ground-truth masks. */
public final class MaskEvaluation {
    private static final String PNG = ".png";

    private MaskEvaluation() {
    }

    /**
     * Scores every {@code predDir/NAME.png} (a palette or 8-bit gray mask, see {@link PalettePng#read}) against
     * {@code gtDir/NAME.png}. A prediction without ground truth, or of another size, is not scored and is listed in
     * {@link EvaluationResult#problems()}; ground-truth masks without a prediction are not looked at.
     *
     * @param classNames the classes (index = mask value), or null for {@link ClassNames#VOC}
     * @throws org.clipwsss.runtime.ClipWsssException naming the file, for a missing folder, an unreadable mask, or
     *     a ground-truth value that is neither a class nor 255
     */
    public static EvaluationResult evaluate(Path predDir, Path gtDir, List<String> classNames) {
        Pairing pairing = new Pairing(gtDir, classNames);
        ConfusionMatrix matrix = new ConfusionMatrix(pairing.classNames().size());
        for (Path pred : Pairing.files(predDir, PNG)) {
            Path gtFile = pairing.groundTruthFile(pred, Pairing.baseName(pred, PNG));
            if (gtFile == null) {
                continue;
            }
            LabelImage mask = PalettePng.read(pred);
            LabelImage gt = pairing.readGroundTruth(gtFile, pred, mask.width(), mask.height());
            if (gt != null) {
                Pairing.add(matrix, gt, mask, gtFile);
                pairing.scored();
            }
        }
        return pairing.result(matrix);
    }
}
