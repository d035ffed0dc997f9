package org.clipwsss.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.batch.BatchJob;
import org.clipwsss.runtime.batch.BatchSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "segment", description = "CAMs, synonym selection, refinement and pseudo masks for a folder of images.")
final class SegmentCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    PipelineOptions pipelineOptions;

    @Option(names = "--input", required = true, paramLabel = "DIR", description = "Folder of images (jpg, png, tif, ...).")
    Path input;

    @Option(names = "--labels", required = true, paramLabel = "labels.csv|\"a;b\"",
            description = "A CSV (image,labels with labels separated by ';') or one label set for every image.")
    String labels;

    @Option(names = "--classes", paramLabel = "FILE", description = "Class list, one per line (line index = mask value); default: the union of the labels.")
    Path classes;

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Option(names = "--progress-every", defaultValue = "10", paramLabel = "N", description = "Print progress every N images.")
    int every;

    @Option(names = "--max-pixels", paramLabel = "N", description = "Refuse images of more pixels than this, from their header"
            + " (default: what half the heap holds at ~24 bytes a pixel, at least 4 MP).")
    long maxPixels = org.clipwsss.runtime.image.ImageFiles.DEFAULT_MAX_PIXELS;

    @Option(names = "--cam-resolution", paramLabel = "N", description = "Store the CAMs with at most N pixels on their long"
            + " side (0: the image's size, the default); masks and overlays stay full size.")
    int camResolution;

    @Option(names = "--cam-dtype", defaultValue = "float32", paramLabel = "float32|float16",
            description = "Store the CAMs as float32 (default) or float16 (half the size).")
    String camDtype;

    @Option(names = "--overwrite", description = "Recompute images whose outputs already exist (default: skip them, resuming).")
    boolean overwrite;

    @Option(names = "--shard", paramLabel = "I/N", description = "Process only shard I of N (0 <= I < N) of the folder's images,"
            + " sorted by name (every N-th from the I-th); N shards may write to the same --out at once, each with its own"
            + " run.shard-I-of-N.json and errors.shard-I-of-N.csv; 'summarize --out' merges them. E.g."
            + " $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT with --array=0-(N-1).")
    String shard;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Path csv = org.clipwsss.runtime.prompts.LabelsCsv.fileOrNull(labels);
        List<String> fixed = csv == null ? splitLabels(labels) : null;
        BatchSummary s = BatchRun.run(modelOptions, pipelineOptions, BatchJob.Input.folder(input, csv, fixed, classes).withMaxPixels(maxPixels), out,
                every, overwrite, spec.commandLine().getOut(), new BatchJob.CamStorage(camResolution, switch (camDtype) {
                    case "float32" -> false;
                    case "float16" -> true;
                    default -> throw new ClipWsssException("--cam-dtype must be float32 or float16, not '" + camDtype + "'");
                }), shard == null ? null : org.clipwsss.runtime.batch.Shard.parse(shard));
        if (s.stoppedBy() != null) {
            throw new ClipWsssException(s.failure());
        }
        return s.failed() > 0 ? 3 : 0;
    }

    static List<String> splitLabels(String text) {
        return Arrays.stream(text.split(";")).map(String::trim).filter(t -> !t.isEmpty()).toList();
    }
}
