package org.clipwsss.plugin;

import ij.ImagePlus;
import java.nio.file.Path;
import java.util.List;
import org.clipwsss.plugin.image.ImagePlusImages;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.batch.BatchJob;
import org.clipwsss.runtime.batch.BatchSummary;
import org.clipwsss.runtime.batch.ProgressListener;
import org.clipwsss.runtime.eval.ClassNames;
import org.clipwsss.runtime.eval.EvaluationResult;
import org.clipwsss.runtime.eval.MaskEvaluation;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.mask.LabelImage;
import org.clipwsss.runtime.pipeline.ImageResult;
import org.clipwsss.runtime.pipeline.Pipeline;
import org.clipwsss.runtime.prompts.ClassList;
import org.clipwsss.runtime.select.SynonymScores;

/**
 * The scripting API for Fiji scripts (Groovy, Jython) and plain Java, e.g.
 * {@code ClipWsss.cams(imp, "cat;dog")}. Options are macro-style strings ({@code "method=maskclip
 * synonyms=none"}, see {@link Options}); the model is a folder or an installed model's name, set once with
 * {@link #model(String)} or per call with {@code model=...}.
 */
public final class ClipWsss {
    private ClipWsss() {
    }

    /** Sets the model later calls use when they name none. */
    public static void model(String folderOrName) {
        Models.setDefault(folderOrName);
    }

    /** Runs the pipeline on the image's current slice. */
    public static ImageResult run(ImagePlus imp, String labels, String options) {
        Options o = Options.parse(options, List.of());
        Pipeline p = Models.pipeline(o.model(), o.pipeline());
        return p.process(raster(imp), labels(labels), null);
    }

    /** Class activation maps: a 32-bit stack, one slice per label. */
    public static ImagePlus cams(ImagePlus imp, String labels) {
        return cams(imp, labels, "");
    }

    public static ImagePlus cams(ImagePlus imp, String labels, String options) {
        return ImageOutputs.cams("CAMs of " + imp.getTitle(), run(imp, labels, options));
    }

    /** The pseudo mask: an 8-bit label image (0 background, then the labels in order) with the VOC palette. */
    public static ImagePlus mask(ImagePlus imp, String labels) {
        return mask(imp, labels, "");
    }

    public static ImagePlus mask(ImagePlus imp, String labels, String options) {
        return pseudoMask(imp, labels, options).mask();
    }

    /** The pseudo mask with one ROI per class present and a table (class, area, mean CAM, synonym, probability). */
    public record MaskResult(ImagePlus mask, List<ij.gui.Roi> rois, ij.measure.ResultsTable table, ImageResult result) { }

    public static MaskResult pseudoMask(ImagePlus imp, String labels, String options) {
        Options o = Options.parse(options, List.of());
        Pipeline p = Models.pipeline(o.model(), o.pipeline());
        List<String> l = labels(labels);
        Raster8 image = raster(imp);
        ImageResult r = p.process(image, l, null);
        int[] values = values(l.size());
        LabelImage m = p.mask(r.cams(), values, image);
        return new MaskResult(ImageOutputs.mask("Mask of " + imp.getTitle(), m, ClassList.of(l).withBackground()),
                ImageOutputs.rois(m, values, l), ImageOutputs.table(r, m, values), r);
    }

    /** POLE's candidate scores for each label of the image. */
    public static List<SynonymScores> synonyms(ImagePlus imp, String labels) {
        return synonyms(imp, labels, "");
    }

    public static List<SynonymScores> synonyms(ImagePlus imp, String labels, String options) {
        Options o = Options.parse(options, List.of());
        return Models.pipeline(o.model(), o.pipeline()).scoreSynonyms(raster(imp), labels(labels));
    }

    /** The batch over a folder; {@code labels} is a labels.csv path or one label set ("cat;dog") for every image. */
    public static BatchSummary batch(String input, String labels, String output) {
        return batch(input, labels, output, "", new ProgressListener() { });
    }

    public static BatchSummary batch(String input, String labels, String output, String options, ProgressListener listener) {
        Options o = Options.parse(options, List.of("classes", "overwrite", "max_pixels", "cam_resolution", "cam_dtype", "shard"));
        Pipeline p = Models.pipeline(o.model(), o.pipeline());
        Path csv = org.clipwsss.runtime.prompts.LabelsCsv.fileOrNull(labels);
        String classes = o.get("classes");
        BatchJob.Input in = BatchJob.Input.folder(Path.of(input), csv, csv == null ? labels(labels) : null,
                classes.isBlank() ? null : Path.of(classes));
        if (!o.get("max_pixels").isBlank()) {
            in = in.withMaxPixels(o.whole("max_pixels"));
        }
        java.util.Map<String, Object> info = java.util.Map.of("folder", Models.resolve(o.model()).toString());
        String dtype = o.get("cam_dtype").isBlank() ? "float32" : o.get("cam_dtype").trim();
        if (!dtype.equals("float32") && !dtype.equals("float16")) {
            throw new ClipWsssException("option 'cam_dtype' must be float32 or float16, not '" + dtype + "'");
        }
        BatchJob.CamStorage storage = new BatchJob.CamStorage(o.get("cam_resolution").isBlank() ? 0 : (int) o.whole("cam_resolution"),
                dtype.equals("float16"));
        return new BatchJob(p, in, Path.of(output), listener, info, o.get("overwrite").equals("true")).camStorage(storage)
                .shard(o.get("shard").isBlank() ? null : org.clipwsss.runtime.batch.Shard.parse(o.get("shard"))).run();
    }

    /**
     * Merges the shards' reports in an output folder (run.json, errors.csv, selection.csv; the dataset-wide synonym
     * choice from the shards' scores); says which shards are missing or unfinished.
     */
    public static org.clipwsss.runtime.batch.ShardReports.Summary summarize(String output) {
        return org.clipwsss.runtime.batch.ShardReports.summarize(Path.of(output));
    }

    /** Confusion-matrix scores of predicted masks against ground truth (class list file optional: VOC's otherwise). */
    public static EvaluationResult evaluate(String pred, String gt, String classesFile) {
        List<String> names = classesFile == null || classesFile.isBlank() ? ClassNames.VOC : ClassNames.read(Path.of(classesFile));
        return MaskEvaluation.evaluate(Path.of(pred), Path.of(gt), names);
    }

    static Raster8 raster(ImagePlus imp) {
        if (imp == null) {
            throw new ClipWsssException("no image");
        }
        List<Raster8> slices = ImagePlusImages.toRasters(imp);
        return slices.get(Math.max(0, Math.min(imp.getCurrentSlice() - 1, slices.size() - 1)));
    }

    static List<String> labels(String text) {
        List<String> l = java.util.Arrays.stream(text == null ? new String[0] : text.split("[;,]"))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (l.isEmpty()) {
            throw new ClipWsssException("no labels given (e.g. \"cat;dog\")");
        }
        return l;
    }

    static int[] values(int n) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = i + 1;
        }
        return v;
    }
}
