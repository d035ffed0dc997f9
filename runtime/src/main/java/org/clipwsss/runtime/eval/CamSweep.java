package org.clipwsss.runtime.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.IoProblems;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.mask.BackgroundScore;
import org.clipwsss.runtime.mask.LabelImage;
import org.clipwsss.runtime.mask.PseudoMasks;

/**
 * Finds the background threshold that turns saved class activation maps into the best masks: for each threshold
 * t, mask = argmax over [t, cams] ({@link PseudoMasks} with {@link BackgroundScore#constant}), scored against the
 * ground truth.
 */
public final class CamSweep {
    private static final String NPY = ".npy";
    private static final int MAX_THRESHOLDS = 10_000;

    private CamSweep() {
    }

    /**
     * The thresholds {@code from, from + step, ...} up to {@code to} (included when reached within rounding),
     * rounded to 6 decimals.
     *
     * @throws IllegalArgumentException unless {@code step > 0}, {@code from <= to}, all finite, at most 10000 values
     */
    public static float[] thresholds(float from, float to, float step) {
        if (!Float.isFinite(from) || !Float.isFinite(to) || !(step > 0) || !Float.isFinite(step) || from > to) {
            throw new IllegalArgumentException("a sweep needs finite FROM <= TO and STEP > 0, got " + from + ":" + to
                    + ":" + step);
        }
        double count = Math.floor(((double) to - from) / step + 1e-6) + 1;
        if (count > MAX_THRESHOLDS) {
            throw new IllegalArgumentException("the sweep " + from + ":" + to + ":" + step + " has more than "
                    + MAX_THRESHOLDS + " thresholds");
        }
        float[] out = new float[(int) count];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (Math.round(((double) from + (double) i * step) * 1e6) / 1e6);
        }
        return out;
    }

    /**
     * Sweeps the background threshold over the CAMs of {@code camsDir}: each {@code NAME.npy} is a float32
     * {@code [K,H,W]} array and {@code NAME.json} ({@code {"classes": ["cat", "dog"], ...}}) names its K maps; a map
     * writes the index of its class in {@code classNames}. Scores against {@code gtDir/NAME.png}. Each CAM file is
     * read once (one confusion matrix per threshold is kept). CAMs without ground truth or a readable class list,
     * of another size than their ground truth, or naming a class not in {@code classNames}, are not scored and are
     * listed as problems.
     *
     * @param classNames the classes (index = mask value), or null for {@link ClassNames#VOC}
     * @throws ClipWsssException naming the file, for a missing folder or an unreadable file
     * @throws IllegalArgumentException for a bad sweep (see {@link #thresholds})
     */
    public static SweepResult evaluate(Path camsDir, Path gtDir, List<String> classNames, float from, float to,
            float step) {
        float[] thresholds = thresholds(from, to, step);
        Pairing pairing = new Pairing(gtDir, classNames);
        ConfusionMatrix[] matrices = new ConfusionMatrix[thresholds.length];
        for (int i = 0; i < thresholds.length; i++) {
            matrices[i] = new ConfusionMatrix(pairing.classNames().size());
        }
        forEachCam(camsDir, pairing, (maps, width, height, classIndex, gt, gtFile, npy) -> {
            for (int i = 0; i < thresholds.length; i++) {
                LabelImage mask = PseudoMasks.of(maps, width, height, classIndex,
                        BackgroundScore.constant(thresholds[i]), 0f);
                Pairing.add(matrices[i], gt, mask, gtFile);
            }
            return true;
        });
        List<SweepResult.Point> points = new ArrayList<>();
        int best = 0;
        for (int i = 0; i < thresholds.length; i++) {
            points.add(new SweepResult.Point(thresholds[i], matrices[i].meanIoU(), matrices[i].pixelAccuracy()));
            double miou = matrices[i].meanIoU();
            if (!Double.isNaN(miou) && (miou > matrices[best].meanIoU() || Double.isNaN(matrices[best].meanIoU()))) {
                best = i;
            }
        }
        return new SweepResult(points, thresholds[best], pairing.result(matrices[best]));
    }

    /**
     * CLIP-ES's pseudo-mask protocol ({@code eval_cam_with_crf.py}): each saved CAM stack through its dense CRF on
     * the image's colours ({@code imagesDir/NAME.jpg}, or another format of that name), 255 where no label reaches
     * the confidence, scored against the ground truth. Pixels left 255 count as assigned to no class.
     */
    public static EvaluationResult evaluateCrf(Path camsDir, Path gtDir, Path imagesDir, List<String> classNames,
            org.clipwsss.runtime.crf.ClipEsCrf.Settings settings) {
        if (!Files.isDirectory(imagesDir)) {
            throw ClipWsssException.file(imagesDir, "images folder does not exist (the CRF needs each CAM's image)");
        }
        Pairing pairing = new Pairing(gtDir, classNames);
        ConfusionMatrix matrix = new ConfusionMatrix(pairing.classNames().size());
        forEachCam(camsDir, pairing, (maps, width, height, classIndex, gt, gtFile, npy) -> {
            Path image = imageOf(imagesDir, Pairing.baseName(npy, NPY));
            if (image == null) {
                pairing.problem(npy, "has no image in " + imagesDir);
                return false;
            }
            org.clipwsss.runtime.image.Raster8 raster = org.clipwsss.runtime.image.ImageFiles.read(image);
            if (raster.width() != width || raster.height() != height) {
                pairing.problem(npy, "is " + width + "x" + height + " but its image " + image.getFileName() + " is "
                        + raster.width() + "x" + raster.height());
                return false;
            }
            Pairing.add(matrix, gt, org.clipwsss.runtime.crf.ClipEsCrf.run(raster, maps, settings).mask(classIndex), gtFile);
            return true;
        });
        return pairing.result(matrix);
    }

    private static Path imageOf(Path dir, String base) {
        for (String ext : new String[] {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".JPG", ".PNG"}) {
            Path p = dir.resolve(base + ext);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /** What is done with one saved CAM stack that has ground truth; false: not scored (a problem was noted). */
    @FunctionalInterface
    private interface CamVisitor {
        boolean visit(float[][] maps, int width, int height, int[] classIndex, LabelImage gt, Path gtFile, Path npy);
    }

    /** Every CAM stack of {@code camsDir} with readable classes and ground truth of its size, read once. */
    private static void forEachCam(Path camsDir, Pairing pairing, CamVisitor visitor) {
        for (Path npy : Pairing.files(camsDir, NPY)) {
            String base = Pairing.baseName(npy, NPY);
            int[] classIndex = classIndices(npy.resolveSibling(base + ".json"), pairing);
            Path gtFile = classIndex == null ? null : pairing.groundTruthFile(npy, base);
            if (gtFile == null) {
                continue;
            }
            NpyArray cams = Npy.read(npy);
            long[] shape = cams.shape();
            if (cams.dtype() != NpyArray.DType.FLOAT32 && cams.dtype() != NpyArray.DType.FLOAT16 || shape.length != 3
                    || shape[0] != classIndex.length) {
                pairing.problem(npy, "is " + cams + " but a float32 or float16 [" + classIndex.length + ",H,W] array is needed"
                        + " (one map per class of its .json)");
                continue;
            }
            int camHeight = (int) shape[1];
            int camWidth = (int) shape[2];
            int[] size = imageSize(npy, camWidth, camHeight);
            int width = size[0];
            int height = size[1];
            LabelImage gt = pairing.readGroundTruth(gtFile, npy, width, height);
            if (gt == null) {
                continue;
            }
            float[][] maps = split(cams.toFloats(), classIndex.length);
            if (camWidth != width || camHeight != height) {
                // CAMs stored at a reduced resolution (segment --cam-resolution): back to the image's size
                for (int k = 0; k < maps.length; k++) {
                    maps[k] = org.clipwsss.runtime.cam.FloatMaps.resizeBilinear(maps[k], camWidth, camHeight, width, height);
                }
            }
            if (visitor.visit(maps, width, height, classIndex, gt, gtFile, npy)) {
                pairing.scored();
            }
        }
    }

    /** The image's size as the CAMs' .json records it ({@code width}, {@code height}), else the CAMs' own. */
    private static int[] imageSize(Path npy, int camWidth, int camHeight) {
        Path json = npy.resolveSibling(Pairing.baseName(npy, NPY) + ".json");
        try {
            JsonNode n = Reports.JSON.readTree(json.toFile());
            int w = n.path("width").asInt(camWidth);
            int h = n.path("height").asInt(camHeight);
            return w > 0 && h > 0 ? new int[] {w, h} : new int[] {camWidth, camHeight};
        } catch (IOException e) {
            return new int[] {camWidth, camHeight};
        }
    }

    /** The mask value of each map named in {@code json}; null after noting a problem. */
    private static int[] classIndices(Path json, Pairing pairing) {
        if (!Files.isRegularFile(json)) {
            pairing.problem(json, "is missing (it names the classes of the maps)");
            return null;
        }
        JsonNode classes;
        try {
            classes = Reports.JSON.readTree(json.toFile()).path("classes");
        } catch (JsonProcessingException e) {
            throw ClipWsssException.file(json, "not valid JSON (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw ClipWsssException.file(json, IoProblems.describe("could not read", e), e);
        }
        if (!classes.isArray()) {
            pairing.problem(json, "has no \"classes\" list");
            return null;
        }
        int[] out = new int[classes.size()];
        org.clipwsss.runtime.prompts.ClassList list = org.clipwsss.runtime.prompts.ClassList.of(pairing.classNames());
        for (int k = 0; k < out.length; k++) {
            String name = classes.get(k).asText();
            out[k] = name.strip().equalsIgnoreCase(org.clipwsss.runtime.prompts.ClassList.BACKGROUND) ? 0 : Math.max(list.indexOf(name), -1);
            if (!classes.get(k).isTextual() || out[k] < 1) {
                pairing.problem(json, "class " + classes.get(k) + (out[k] == 0 ? " is the background"
                        : " is not in the class list"));
                return null;
            }
        }
        return out;
    }

    private static float[][] split(float[] data, int k) {
        int size = k == 0 ? 0 : data.length / k;
        float[][] out = new float[k][];
        for (int i = 0; i < k; i++) {
            out[i] = Arrays.copyOfRange(data, i * size, (i + 1) * size);
        }
        return out;
    }
}
