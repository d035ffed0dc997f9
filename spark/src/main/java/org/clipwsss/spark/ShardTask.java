package org.clipwsss.spark;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.batch.BatchJob;
import org.clipwsss.runtime.batch.BatchSummary;
import org.clipwsss.runtime.batch.ImageOutcome;
import org.clipwsss.runtime.batch.ProgressListener;
import org.clipwsss.runtime.batch.Shard;
import org.clipwsss.runtime.pipeline.Pipeline;
import org.clipwsss.runtime.prompts.LabelsCsv;
import picocli.CommandLine;

/**
 * One Spark task: shard {@code partition} of {@code partitions} of the images, run by {@link BatchJob} with the
 * executor's model ({@link ExecutorModels}: one per executor JVM) and a pipeline of its own. Per-image failures stay in
 * the shard's reports; a run stopped by an Error (or the test fault {@code spark.clipwsss.failOnce=P:K}: partition P's
 * first attempt stops after K images) throws, so that Spark tries the task again, and the retry resumes.
 */
final class ShardTask implements Function<Integer, String> {
    private static final long serialVersionUID = 1L;
    private final String[] args;
    private final List<String> images;
    private final int partitions;

    ShardTask(String[] args, List<String> images, int partitions) {
        this.args = args.clone();
        this.images = List.copyOf(images);
        this.partitions = partitions;
    }

    @Override
    public String call(Integer partition) {
        SparkSegment job = new SparkSegment();
        new CommandLine(job).parseArgs(args);
        TaskContext task = TaskContext.get();
        int cpus = task == null ? 1 : task.cpus();
        ExecutorModels.Loaded loaded = ExecutorModels.get(job.model, job.shipModel, cpus);
        Pipeline pipeline = Pipeline.create(loaded.model(), job.pipeline.settings());
        Path csv = LabelsCsv.fileOrNull(job.labels);
        List<String> fixed = csv == null ? java.util.Arrays.stream(job.labels.split(";")).map(String::trim).filter(s -> !s.isEmpty()).toList()
                : null;
        Shard shard = new Shard(partition, partitions);
        SparkEnv env = SparkEnv.get();
        Path staging = stagingDir(partition, task);
        List<Path> local = Staging.forShard(images, shard, staging, Staging.hadoop(env == null ? new org.apache.spark.SparkConf() : env.conf()));
        BatchJob.Input input = BatchJob.Input.files(local, csv, fixed, job.classes);
        if (job.maxPixels != null) {
            input = input.withMaxPixels(job.maxPixels);
        }
        int stopAfter = faultAt(partition, task);
        ProgressListener listener = new ProgressListener() {
            private int finished;

            @Override
            public void imageFinished(ImageOutcome outcome, int n, int total) {
                finished = n;
            }

            @Override
            public boolean cancelRequested() {
                return stopAfter >= 0 && finished >= stopAfter;
            }
        };
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("folder", job.model.model().toAbsolutePath().toString()); // as given, also when the executor reads a shipped copy
        BatchSummary s;
        try {
            Map<Path, String> origins = new LinkedHashMap<>();
            for (int i = 0; i < images.size(); i++) {
                if (Staging.remote(images.get(i))) {
                    origins.put(local.get(i), images.get(i));
                }
            }
            s = new BatchJob(pipeline, input, job.out, listener, info, job.overwrite).shard(shard).origins(origins).run();
        } finally {
            deleteTree(staging);
        }
        if (s.stoppedBy() != null) {
            throw new ClipWsssException("shard " + partition + "/" + partitions + ": " + s.failure());
        }
        if (stopAfter >= 0) {
            throw new IllegalStateException("injected fault (spark.clipwsss.failOnce): shard " + partition + "/" + partitions
                    + " stopped after " + s.done() + " images on attempt " + task.attemptNumber());
        }
        return "shard " + partition + "/" + partitions + " (attempt " + (task == null ? 0 : task.attemptNumber()) + ", "
                + ExecutorModels.describe(loaded) + "): " + s.oneLine();
    }

    /** Where this task copies its remote images (removed when it ends). */
    private static Path stagingDir(int partition, TaskContext task) {
        String attempt = task == null ? "0" : task.stageId() + "-" + task.attemptNumber() + "-" + task.taskAttemptId();
        return Path.of(System.getProperty("java.io.tmpdir"), "clip-wsss-spark-" + ProcessHandle.current().pid() + "-" + partition + "-" + attempt);
    }

    private static void deleteTree(Path dir) {
        try {
            org.clipwsss.runtime.io.AtomicFiles.deleteTree(dir);
        } catch (ClipWsssException e) {
            // the task's results stand; the leftover copies are named for the executor's operator
            System.err.println("clip-wsss-spark: cannot remove the copied images: " + e.getMessage());
        }
    }

    /** The test fault's image count for this task's first attempt, else -1. */
    private static int faultAt(int partition, TaskContext task) {
        SparkEnv env = SparkEnv.get();
        String spec = env == null ? "" : env.conf().get("spark.clipwsss.failOnce", "");
        if (spec.isBlank() || task == null || task.attemptNumber() > 0) {
            return -1;
        }
        String[] pk = spec.split(":");
        return Integer.parseInt(pk[0].trim()) == partition ? Integer.parseInt(pk[1].trim()) : -1;
    }
}
