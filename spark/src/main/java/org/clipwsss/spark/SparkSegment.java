package org.clipwsss.spark;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.clipwsss.cli.ModelOptions;
import org.clipwsss.cli.PipelineOptions;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.batch.ShardReports;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code clip-wsss-spark segment}: the pipeline of {@code clip-wsss segment} on Apache Spark. The images (a folder, or
 * a list file of image paths) are cut into P partitions exactly as {@code segment --shard I/P} cuts them; each Spark
 * task runs shard I of P ({@link ShardTask}) with one model per executor JVM, writing the same per-image outputs and
 * its own shard reports into the shared output folder; per-image failures go into the reports, not the job. A failed
 * task is retried by Spark and resumes (finished images are skipped). At the end the driver merges the reports
 * ({@link ShardReports#summarize}) into run.json, errors.csv and selection.csv, as {@code clip-wsss summarize} does.
 */
@Command(name = "segment", mixinStandardHelpOptions = true, description = "The segment pipeline on Apache Spark (default"
        + " master local[*] with 4 attempts per task; spark-submit's --master otherwise).")
public final class SparkSegment implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    PipelineOptions pipeline;

    @Option(names = "--input", paramLabel = "DIR", description = "Folder of images: a path every executor reads, or a Hadoop file"
            + " system URI (hdfs://..., s3a://... with hadoop-aws); remote images are copied to the executor that processes them.")
    String input;

    @Option(names = "--list", paramLabel = "FILE", description = "A text file of image paths or URIs, one per line (instead of"
            + " --input); the file itself may be on a Hadoop file system.")
    String list;

    @Option(names = "--ship-model", description = "Ship the --model folder to the executors with the job (SparkContext.addFile),"
            + " for executors that cannot read its path.")
    boolean shipModel;

    @Option(names = "--labels", required = true, paramLabel = "labels.csv|\"a;b\"")
    String labels;

    @Option(names = "--classes", paramLabel = "FILE")
    Path classes;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder every executor can write to.")
    Path out;

    @Option(names = "--partitions", paramLabel = "P", description = "Spark partitions = shards (default: the default"
            + " parallelism, at most one per image).")
    int partitions;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master when not set by spark-submit (default local[*,4]:"
            + " all cores, a failed task tried up to 4 times).")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "More Spark settings.")
    List<String> conf = new ArrayList<>();

    @Option(names = "--max-pixels", paramLabel = "N")
    Long maxPixels;

    @Option(names = "--overwrite", description = "Recompute images whose outputs exist (default: skip them, resuming).")
    boolean overwrite;

    /** The arguments as given: every executor parses them again (they travel, not the parsed objects). */
    String[] args;
    private PrintWriter terminal = new PrintWriter(System.out, true);

    public static void main(String[] argv) {
        System.exit(run(argv, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line; 0 done, 1 error, 2 usage, 3 some images failed or some shards did not finish. */
    public static int run(String[] argv, PrintWriter out, PrintWriter err) {
        if (argv.length == 0 || !argv[0].equals("segment")) {
            err.println("usage: clip-wsss-spark segment --model DIR (--input DIR | --list FILE) --labels CSV --out DIR [options]"
                    + " (clip-wsss-spark segment --help)");
            return 2;
        }
        String[] rest = java.util.Arrays.copyOfRange(argv, 1, argv.length);
        SparkSegment job = new SparkSegment();
        job.args = rest;
        job.terminal = out;
        CommandLine cli = new CommandLine(job);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, c, p) -> {
            // Spark's job failure carries the task's stack trace in its message: its first part says it all
            err.println("clip-wsss-spark: error: " + org.clipwsss.runtime.Failures.describe(e).split("\\s+at [\\w.$]+\\(")[0].trim());
            return 1;
        });
        return cli.execute(rest);
    }

    /** The images, in the order the shards cut (a folder's sorted by name; a list file's as listed): paths or URIs. */
    List<String> images(org.apache.hadoop.conf.Configuration hadoop) {
        if ((input == null) == (list == null)) {
            throw new ClipWsssException("give --input DIR or --list FILE");
        }
        if (input != null) {
            return Staging.listFolder(input, hadoop);
        }
        return Staging.readList(list, hadoop).stream().map(l -> Staging.remote(l) ? l : Staging.local(l).toAbsolutePath().toString())
                .toList();
    }

    @Override
    public Integer call() {
        SparkConf sc = new SparkConf().setAppName("clip-wsss segment " + out);
        if (!sc.contains("spark.master")) {
            sc.setMaster(master != null ? master : "local[*,4]");
        }
        for (String kv : conf) {
            int eq = kv.indexOf('=');
            if (eq < 1) {
                throw new ClipWsssException("--conf needs KEY=VALUE, not '" + kv + "'");
            }
            sc.set(kv.substring(0, eq), kv.substring(eq + 1));
        }
        List<String> paths = images(Staging.hadoop(sc));
        try (JavaSparkContext spark = new JavaSparkContext(sc)) {
            if (shipModel) {
                spark.sc().addFile(model.model().toAbsolutePath().toString(), true);
            }
            int p = partitions > 0 ? partitions : Math.max(1, Math.min(paths.size(), spark.defaultParallelism()));
            long t0 = System.nanoTime();
            List<String> lines = spark.parallelize(IntStream.range(0, p).boxed().toList(), p)
                    .map(new ShardTask(args, paths, p)).collect();
            double seconds = (System.nanoTime() - t0) / 1e9;
            lines.forEach(terminal::println);
            ShardReports.Summary s = ShardReports.summarize(out);
            terminal.printf("clip-wsss-spark: %d partitions on %s in %.1f s (%.2f images/s); %s%n", p, spark.master(), seconds,
                    paths.size() / seconds, s.line());
            return !s.complete() || s.failed() > 0 ? 3 : 0;
        }
    }
}
