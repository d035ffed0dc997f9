package org.clipwsss.runtime.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.IoProblems;
import org.clipwsss.runtime.mask.LabelImage;
import org.clipwsss.runtime.mask.PalettePng;

/**
 * Pairs predictions with ground-truth masks ({@code GT_DIR/NAME.png}) by base name, scores them, and keeps a
 * problem line for each prediction that cannot be scored; shared by {@link MaskEvaluation} and {@link CamSweep}.
 */
final class Pairing {
    private final Path gtDir;
    private final List<String> names;
    private final List<String> problems = new ArrayList<>();
    /** Base names of the predictions looked at (scored or not). */
    private final java.util.Set<String> predicted = new java.util.HashSet<>();
    private int images;
    private int withoutGroundTruth;
    private int sizeMismatches;

    /**
     * @param classNames the classes, or null for VOC's
     */
    Pairing(Path gtDir, List<String> classNames) {
        requireFolder(gtDir);
        this.gtDir = gtDir;
        this.names = classNames == null ? ClassNames.VOC : List.copyOf(classNames);
    }

    List<String> classNames() {
        return names;
    }

    /**
     * The files of {@code dir} whose names end with {@code suffix}, sorted by name.
     *
     * @throws ClipWsssException if {@code dir} is not a folder or holds no such file
     */
    static List<Path> files(Path dir, String suffix) {
        requireFolder(dir);
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> out = s.filter(p -> p.getFileName().toString().endsWith(suffix) && Files.isRegularFile(p))
                    .sorted().toList();
            if (out.isEmpty()) {
                throw ClipWsssException.file(dir, "holds no " + suffix + " files");
            }
            return out;
        } catch (IOException e) {
            throw ClipWsssException.file(dir, IoProblems.describe("could not list the folder", e), e);
        }
    }

    /** The file's name without {@code suffix}. */
    static String baseName(Path file, String suffix) {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - suffix.length());
    }

    /** Notes that {@code file} (a prediction NAME.png, or NAME.npy or NAME.json of a CAM) could not be scored. */
    void problem(Path file, String what) {
        problems.add(file + ": " + what);
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        predicted.add(dot > 0 ? name.substring(0, dot) : name);
    }

    /** The ground-truth file for prediction {@code pred} named {@code base}, or null after noting that it is missing. */
    Path groundTruthFile(Path pred, String base) {
        predicted.add(base);
        Path gt = gtDir.resolve(base + ".png");
        if (!Files.isRegularFile(gt)) {
            problem(pred, "no ground truth (" + gt + " is missing)");
            withoutGroundTruth++;
            return null;
        }
        return gt;
    }

    /**
     * Reads the ground truth of prediction {@code pred}, which is {@code width x height}; null after noting a
     * problem if the sizes differ.
     */
    LabelImage readGroundTruth(Path gtFile, Path pred, int width, int height) {
        LabelImage gt = PalettePng.read(gtFile);
        if (gt.width() != width || gt.height() != height) {
            problem(pred, "is " + width + "x" + height + " but its ground truth " + gtFile + " is " + gt.width() + "x"
                    + gt.height());
            sizeMismatches++;
            return null;
        }
        return gt;
    }

    /** Counts one prediction into {@code matrix}. */
    static void add(ConfusionMatrix matrix, LabelImage gt, LabelImage pred, Path gtFile) {
        try {
            matrix.add(gt, pred);
        } catch (IllegalArgumentException e) {
            throw ClipWsssException.file(gtFile, e.getMessage() + "; is the class list right?", e);
        }
    }

    /** Records that one more image was scored. */
    void scored() {
        images++;
    }

    EvaluationResult result(ConfusionMatrix matrix) {
        List<String> groundTruth = groundTruthNames();
        List<String> unpredicted = groundTruth.stream().filter(n -> !predicted.contains(n)).toList();
        return EvaluationResult.of(matrix, names, images, problems,
                new EvaluationResult.Coverage(groundTruth.size(), unpredicted, withoutGroundTruth, sizeMismatches));
    }

    /** The base names of the ground-truth masks (GT_DIR/NAME.png), sorted. */
    private List<String> groundTruthNames() {
        try (Stream<Path> s = Files.list(gtDir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png") && n.length() > 4)
                    .filter(n -> Files.isRegularFile(gtDir.resolve(n)))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().toList();
        } catch (IOException e) {
            throw ClipWsssException.file(gtDir, IoProblems.describe("could not list the folder", e), e);
        }
    }

    private static void requireFolder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw ClipWsssException.file(dir, Files.exists(dir) ? "not a folder" : "folder not found");
        }
    }
}
