package org.clipwsss.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.cam.Cams;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.clip.GraphSource;
import org.clipwsss.runtime.clip.RandomClipModel;
import org.clipwsss.runtime.crf.ClipEsCrf;
import org.clipwsss.runtime.image.ImageFiles;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.io.AtomicFiles;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.pipeline.ImageResult;
import org.clipwsss.runtime.pipeline.Pipeline;
import org.clipwsss.runtime.pipeline.PipelineSettings;
import org.clipwsss.runtime.prompts.ClassList;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.SessionFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Pipeline throughput at real CLIP shapes (random weights: speed does not depend on them), stage by stage,
 * against the raw encoder sessions the pipeline calls for the same images.
 */
@Command(name = "bench", description = "Benchmark: images/s per pipeline stage at ViT-B/32 (or B/16) shapes vs the raw encoders.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--shapes", defaultValue = "vit-b-32", paramLabel = "vit-b-32|vit-b-16")
    String shapes;

    @Option(names = "--images", defaultValue = "24", paramLabel = "N", description = "Timed images (500x375, 2 labels each).")
    int images;

    @Option(names = "--rounds", defaultValue = "3", paramLabel = "R",
            description = "Pipeline benchmark: R interleaved rounds, each the pipeline over the N images then the raw sessions over"
                    + " the same work, so that a change in the machine's load falls on both (the median per-round ratio is reported).")
    int rounds;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "ONNX Runtime intra-op threads (0: default).")
    int threads;

    @Option(names = "--variant", defaultValue = "fp32", paramLabel = "fp32|quantized|fp16",
            description = "Pipeline benchmark graphs (built from the random safetensors): float (default), or with their weight"
                    + " MatMuls dynamically quantized to int8, as --variant quantized --source safetensors runs them, or in half"
                    + " precision (fp16).")
    String variant;

    @Option(names = "--work", paramLabel = "DIR", description = "Where the random model is written (default: a temporary folder).")
    Path work;

    @Option(names = "--json", paramLabel = "OUT.json")
    Path json;

    @Option(names = "--prompts", description = "Benchmark a SemPLeS prompt-learning step instead (20 classes, L = 30).")
    boolean prompts;

    @Option(names = "--mask-generator", description = "Benchmark a SemPLeS mask-generator step instead (stage a, 8 pairs per batch).")
    boolean maskGenerator;

    @Option(names = "--loops", description = "Benchmark the hot Java loops instead (after warm-up; one thread but where named): PIL bicubic resize (also on all cores),"
            + " CAM upsampling, the attention-affinity transition and refinement, the dense CRF.")
    boolean loops;

    @Option(names = "--towers", description = "Benchmark the image tower instead, fp32 against int8 (quantized) graphs built from"
            + " the same weights, at batch 1 and 8, in interleaved rounds (medians and the median per-round ratio).")
    boolean towers;

    @Option(names = "--crf", description = "Benchmark CLIP-ES's dense CRF instead (one thread; --images timed runs): a 500x375"
            + " image with 2 CAMs (3 labels), the conformance fixture's 2007_000364 when present, else synthetic.")
    boolean crf;

    @Option(names = "--crf-image", paramLabel = "FILE", description = "Image for --crf (with --crf-cams).")
    Path crfImage;

    @Option(names = "--crf-cams", paramLabel = "CAMS.npy", description = "CAMs [K,H,W] float32 for --crf-image.")
    Path crfCams;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (!variant.equals("fp32") && !variant.equals("quantized") && !variant.equals("fp16")) {
            throw new ClipWsssException("bench --variant must be fp32, quantized or fp16, not '" + variant + "'");
        }
        if (!variant.equals("fp32") && (crf || prompts || maskGenerator)) {
            throw new ClipWsssException("--variant " + variant + " is for the pipeline benchmark (training steps and the CRF have no"
                    + " quantized form)");
        }
        if (rounds < 1) {
            throw new ClipWsssException("bench --rounds must be at least 1, not " + rounds);
        }
        if (crf) {
            return crfBench(out);
        }
        if (loops) {
            return loopBench(out);
        }
        // the random model (1.5 GB at ViT-B/16 with its graphs) goes into --work, or a temporary folder removed at the end
        Path root = work != null ? work : Files.createTempDirectory("clip-wsss-bench");
        try {
            return modelBench(root.resolve(shapes), out);
        } finally {
            if (work == null) {
                AtomicFiles.deleteTree(root);
            }
        }
    }

    private Integer modelBench(Path dir, PrintWriter out) throws IOException {
        RandomClipModel.Shapes s = shapes.equals("vit-b-16") ? RandomClipModel.Shapes.vitB16() : RandomClipModel.Shapes.vitB32();
        long t0 = System.nanoTime();
        if (!Files.isRegularFile(dir.resolve("model.safetensors"))) {
            RandomClipModel.write(dir, s, 42);
        }
        out.printf("model %s (random weights) ready in %.1f s: %s%n", shapes, (System.nanoTime() - t0) / 1e9, dir);
        if (prompts) {
            return promptStep(dir, out);
        }
        if (maskGenerator) {
            return maskGeneratorStep(dir, out);
        }
        if (towers) {
            return towerBench(dir, out);
        }
        List<Raster8> imgs = syntheticImages(images + 2, 7);
        List<String> voc = ClassList.voc().names();
        Map<String, Object> report = new LinkedHashMap<>();
        try (SessionFactory sessions = new SessionFactory(Device.AUTO, threads);
                ClipModel model = ClipModel.open(dir, ClipModel.Options.defaults().withSource(GraphSource.SAFETENSORS)
                        .withVariant(variant).withSessions(sessions).withCacheRoot(dir.resolve("cache")))) {
            Pipeline p = Pipeline.create(model, PipelineSettings.defaults());
            SplittableRandom rnd = new SplittableRandom(3);
            List<List<String>> labels = new ArrayList<>();
            for (int i = 0; i < imgs.size(); i++) {
                int a = rnd.nextInt(voc.size());
                labels.add(List.of(voc.get(a), voc.get((a + 1 + rnd.nextInt(voc.size() - 1)) % voc.size())));
            }
            for (int i = 0; i < 2; i++) { // warm-up: builds graphs, creates sessions, encodes prompts
                p.process(imgs.get(i), labels.get(i), null);
            }
            // steady state: every class's prompts (names, synonyms, background) encoded once, as in a long run
            for (int i = 0; i < voc.size(); i += 2) {
                p.process(imgs.get(0), List.of(voc.get(i), voc.get(i + 1)), null);
            }
            p.times().reset();
            // the raw sessions for the same work: one dense run over the image's whole-image grid (as the pipeline
            // plans it), one image-tower run over its two masked inputs, on an image's real pixel values; timed twice:
            // in turn per image, as a run calls them, and each session's runs back to back
            int side = s.imageSize();
            org.clipwsss.runtime.cam.ImageGrid grid = org.clipwsss.runtime.cam.ImageGrid.plan(imgs.get(0).width(), imgs.get(0).height(),
                    s.patchSize(), side);
            org.clipwsss.runtime.image.ClipPreprocessor pre = model.folder().preprocessor();
            NpyArray whole = NpyArray.ofFloats(pre.preprocessResized(imgs.get(2), grid.pixelWidth(), grid.pixelHeight()), 1, 3,
                    grid.pixelHeight(), grid.pixelWidth());
            NpyArray windows = NpyArray.ofFloats(pre.preprocess(List.of(imgs.get(2), imgs.get(3))), 2, 3, side, side);
            model.denseEmbedsGrid(whole, ClipModel.Dense.CLEARCLIP); // warm-up: the grid graph's session
            model.imageEmbeds(windows);
            // interleaved rounds: pipeline, raw in turn, raw back to back, again; the machine's load (shared here) changes
            // over a run, and a round puts both sides under about the same load
            double pipeSecs = 0;
            double inTurnSecs = 0;
            double denseSecs = 0;
            double towerSecs = 0;
            double[] roundRatio = new double[rounds];
            double[] roundRatioBackToBack = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                long start = System.nanoTime();
                for (int i = 2; i < imgs.size(); i++) {
                    ImageResult r = p.process(imgs.get(i), labels.get(i), null);
                    Cams c = r.cams();
                    p.mask(c, new int[] {1, 2});
                }
                double pipeRound = (System.nanoTime() - start) / 1e9;
                long r0 = System.nanoTime();
                for (int i = 0; i < images; i++) {
                    model.denseEmbedsGrid(whole, ClipModel.Dense.CLEARCLIP);
                    model.imageEmbeds(windows);
                }
                double inTurnRound = (System.nanoTime() - r0) / 1e9;
                r0 = System.nanoTime();
                for (int i = 0; i < images; i++) {
                    model.denseEmbedsGrid(whole, ClipModel.Dense.CLEARCLIP);
                }
                double denseRound = (System.nanoTime() - r0) / 1e9;
                r0 = System.nanoTime();
                for (int i = 0; i < images; i++) {
                    model.imageEmbeds(windows);
                }
                double towerRound = (System.nanoTime() - r0) / 1e9;
                roundRatio[round] = inTurnRound / pipeRound;
                roundRatioBackToBack[round] = (denseRound + towerRound) / pipeRound;
                pipeSecs += pipeRound;
                inTurnSecs += inTurnRound;
                denseSecs += denseRound;
                towerSecs += towerRound;
                out.printf("round %d: pipeline %.2f images/s, raw in turn %.2f (ratio %.2f), back to back %.2f (ratio %.2f)%n", round + 1,
                        images / pipeRound, images / inTurnRound, roundRatio[round], images / (denseRound + towerRound),
                        roundRatioBackToBack[round]);
            }
            StageClock clock = new StageClock();
            int timedImages = images * rounds;
            double raw = timedImages / inTurnSecs;
            double backToBack = timedImages / (denseSecs + towerSecs);
            double pipe = timedImages / pipeSecs;
            report.put("shapes", shapes);
            report.put("variant", variant);
            report.put("device", sessions.device().toString());
            report.put("threads", threads);
            report.put("images", images);
            report.put("rounds", rounds);
            report.put("image_size", "500x375 on a " + grid.width() + "x" + grid.height() + " patch grid, 2 labels");
            report.put("pipeline_images_per_s", pipe);
            report.put("raw_encoders_images_per_s", raw);
            report.put("raw_back_to_back_images_per_s", backToBack);
            report.put("raw_dense_images_per_s", timedImages / denseSecs);
            report.put("raw_image_tower_images_per_s", timedImages / towerSecs);
            report.put("pipeline_vs_raw", pipe / raw);
            report.put("pipeline_vs_raw_back_to_back", pipe / backToBack);
            report.put("pipeline_vs_raw_round_median", median(roundRatio));
            report.put("pipeline_vs_raw_rounds", roundRatio);
            report.put("pipeline_vs_raw_back_to_back_round_median", median(roundRatioBackToBack));
            report.put("stages", clock.perImage(p, timedImages));
            out.printf("pipeline%s: %.2f images/s; raw encoder sessions for the same work, in turn per image as a run calls them: %.2f"
                    + " images/s; pipeline/raw = %.2f%n", variant.equals("quantized") ? " (int8-quantized graphs)" : variant.equals("fp16") ? " (fp16 graphs)" : "", pipe, raw, pipe / raw);
            out.printf("each session's runs back to back instead: %.2f images/s (dense %.2f, image tower %.2f); pipeline/that = %.2f%n",
                    backToBack, timedImages / denseSecs, timedImages / towerSecs, pipe / backToBack);
            out.printf("median of the %d rounds' ratios: pipeline/raw in turn = %.2f, pipeline/raw back to back = %.2f%n", rounds,
                    median(roundRatio), median(roundRatioBackToBack));
            out.println("per image, by stage (seconds):");
            clock.perImage(p, timedImages).forEach((k, v) -> out.printf("  %-18s %.4f%n", k, v));
        }
        if (json != null) {
            AtomicFiles.writeString(json, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n");
        }
        out.flush();
        return 0;
    }

    /** Seconds per prompt-learning step (forward + backward of the text tower, SGD update), 20 classes, L = 30. */
    /** Milliseconds per call of the hot Java loops, each the median of 7 timed runs after 3 warm-up runs, one thread. */
    private Integer loopBench(PrintWriter out) {
        Raster8 photo = syntheticImages(1, 11).get(0);
        int w = photo.width();
        int h = photo.height();
        SplittableRandom rnd = new SplittableRandom(5);
        float[] grid = new float[32 * 24];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = (float) rnd.nextDouble();
        }
        int n = grid.length;
        float[] attention = new float[n * n];
        for (int i = 0; i < attention.length; i++) {
            attention[i] = (float) rnd.nextDouble();
        }
        // the CRF's cost depends on how many distinct colours the lattice meets: a photo-like scene, not noise
        Raster8 scene = syntheticScene(w, h, 5);
        float[][] cams = syntheticCams(w, h, 3, 6);
        float[] trans = org.clipwsss.training.gradcam.AttentionAffinity.transition(attention, n);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("resize_500x375_to_512x384_bicubic_all_cores_ms", timeMs(() -> org.clipwsss.runtime.image.PilResize.resize(photo, 512,
                384, org.clipwsss.runtime.image.ResampleFilter.BICUBIC)));
        // the rest on one thread: the loops Parallel.rows spreads over the cores kept on the calling thread
        String before = System.getProperty("clipwsss.javaThreads");
        System.setProperty("clipwsss.javaThreads", "1");
        try {
            report.put("resize_500x375_to_512x384_bicubic_ms", timeMs(() -> org.clipwsss.runtime.image.PilResize.resize(photo, 512, 384,
                    org.clipwsss.runtime.image.ResampleFilter.BICUBIC)));
        } finally {
            if (before == null) {
                System.clearProperty("clipwsss.javaThreads");
            } else {
                System.setProperty("clipwsss.javaThreads", before);
            }
        }
        report.put("cam_upsample_32x24_to_500x375_ms", timeMs(() -> org.clipwsss.runtime.cam.FloatMaps.resizeBilinear(grid, 32, 24, w, h)));
        report.put("affinity_transition_768_ms", timeMs(() -> org.clipwsss.training.gradcam.AttentionAffinity.transition(attention, n)));
        report.put("affinity_refine_768_ms", timeMs(() -> org.clipwsss.training.gradcam.AttentionAffinity.refine(trans, grid, 32, 24)));
        report.put("crf_500x375_3_labels_ms", timeMs(() -> org.clipwsss.runtime.crf.ClipEsCrf.run(scene, cams)));
        report.forEach((k, v) -> out.printf("%s: %.2f%n", k, (Double) v));
        writeReport(report);
        return 0;
    }

    /** The report as JSON to {@code --json}, when given. */
    private void writeReport(Map<String, Object> report) {
        if (json != null) {
            try {
                AtomicFiles.writeString(json, new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                        .writeValueAsString(report) + "\n");
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new ClipWsssException("cannot write " + json + " (" + e.getMessage() + ")", e);
            }
        }
    }

    private static double timeMs(java.util.function.Supplier<?> work) {
        for (int i = 0; i < 3; i++) {
            work.get();
        }
        double[] t = new double[7];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            work.get();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        return median(t);
    }

    /** Image tower images/s, fp32, int8 and fp16, batch 1 and 8; interleaved rounds so that all see about the same load. */
    private Integer towerBench(Path dir, PrintWriter out) {
        int rounds = 5;
        Map<String, Object> report = new LinkedHashMap<>();
        try (SessionFactory sessions = new SessionFactory(Device.AUTO, threads);
                ClipModel f = openVariant(dir, "fp32", sessions); ClipModel q = openVariant(dir, "quantized", sessions);
                ClipModel h = openVariant(dir, "fp16", sessions)) {
            int side = f.config().vision().imageSize();
            for (int batch : new int[] {1, 8}) {
                float[] v = new float[batch * 3 * side * side];
                SplittableRandom rnd = new SplittableRandom(batch);
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) rnd.nextGaussian();
                }
                NpyArray px = NpyArray.ofFloats(v, batch, 3, side, side);
                f.imageEmbeds(px); // warm-up: builds the graphs, creates the sessions
                q.imageEmbeds(px);
                h.imageEmbeds(px);
                int runs = Math.max(2, 16 / batch);
                double[] fr = new double[rounds];
                double[] qr = new double[rounds];
                double[] hr = new double[rounds];
                double[] ratio = new double[rounds];
                double[] halfRatio = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    fr[r] = towerRate(f, px, runs);
                    qr[r] = towerRate(q, px, runs);
                    hr[r] = towerRate(h, px, runs);
                    ratio[r] = qr[r] / fr[r];
                    halfRatio[r] = hr[r] / fr[r];
                }
                out.printf("image tower %s, batch %d: fp32 %.2f images/s, int8 %.2f, fp16 %.2f (medians of %d rounds); int8/fp32 x%.2f,"
                        + " fp16/fp32 x%.2f (medians per round)%n", shapes, batch, median(fr), median(qr), median(hr), rounds, median(ratio),
                        median(halfRatio));
                report.put("batch_" + batch, Map.of("fp32_images_per_s", median(fr), "int8_images_per_s", median(qr),
                        "int8_over_fp32", median(ratio), "fp16_images_per_s", median(hr), "fp16_over_fp32", median(halfRatio)));
            }
            report.put("device", sessions.device().toString());
        }
        report.put("shapes", shapes);
        report.put("threads", threads);
        writeReport(report);
        return 0;
    }

    private static ClipModel openVariant(Path dir, String variant, SessionFactory sessions) {
        return ClipModel.open(dir, ClipModel.Options.defaults().withSource(GraphSource.SAFETENSORS).withVariant(variant)
                .withSessions(sessions).withCacheRoot(dir.resolve("cache")));
    }

    private static double towerRate(ClipModel m, NpyArray px, int runs) {
        long t0 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            m.imageEmbeds(px);
        }
        return runs * px.shape()[0] / ((System.nanoTime() - t0) / 1e9);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private Integer promptStep(Path dir, PrintWriter out) throws IOException {
        int k = 20;
        int l = 30;
        int n = 4;
        int side = 224;
        SplittableRandom rnd = new SplittableRandom(11);
        float[] px = new float[n * 3 * side * side];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) rnd.nextGaussian();
        }
        float[] masks = new float[n * k * side * side];
        for (int i = 0; i < masks.length; i++) {
            masks[i] = rnd.nextFloat();
        }
        float[] targets = new float[n * k];
        for (int c = 0; c < k; c++) {
            targets[(c % n) * k + c] = 1;
        }
        List<String> classes = ClassList.voc().names();
        try (SessionFactory sessions = new SessionFactory(Device.AUTO, threads);
                ClipModel model = ClipModel.open(dir, ClipModel.Options.defaults().withSource(GraphSource.SAFETENSORS)
                        .withSessions(sessions).withCacheRoot(dir.resolve("cache")))) {
            int w = model.config().text().hiddenSize();
            float[] p0 = new float[k * l * w];
            for (int i = 0; i < p0.length; i++) {
                p0[i] = (float) (rnd.nextGaussian() * 0.02);
            }
            org.clipwsss.training.prompts.PromptData data = new org.clipwsss.training.prompts.PromptData(n, k, side, px, masks, targets);
            Path work = dir.resolve("prompts-step");
            long[] stepStart = {System.nanoTime()};
            List<Double> seconds = new ArrayList<>();
            int steps = Math.max(3, images);
            new org.clipwsss.training.prompts.PromptTrainer(model, work).train(classes, data, p0, l,
                    org.clipwsss.training.prompts.PromptTrainer.Options.sgd(0.1f, steps, 0.02f), (step, loss) -> {
                        long now = System.nanoTime();
                        seconds.add((now - stepStart[0]) / 1e9);
                        stepStart[0] = now;
                    });
            // the first interval includes building the graphs and the session; the rest are steady steps
            double mean = seconds.subList(1, seconds.size()).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            out.printf("prompt learning (%s text tower, %d classes, L = %d, sequence %d, device %s): %.3f s per step over %d steps%n",
                    shapes, k, l, l + 6, sessions.device(), mean, seconds.size() - 1);
            if (json != null) {
                AtomicFiles.writeString(json, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(
                        Map.of("shapes", shapes, "classes", k, "prompt_length", l, "seconds_per_step", mean, "steps", seconds.size() - 1)) + "\n");
            }
        }
        return 0;
    }

    /** Seconds per mask-generator step (stage a, batches of 8 pairs, 20 classes, gradients through the image tower). */
    private Integer maskGeneratorStep(Path dir, PrintWriter out) throws IOException {
        int k = 20;
        int n = 8;
        int batch = 8;
        try (SessionFactory sessions = new SessionFactory(Device.AUTO, threads);
                ClipModel model = ClipModel.open(dir, ClipModel.Options.defaults().withSource(GraphSource.SAFETENSORS)
                        .withSessions(sessions).withCacheRoot(dir.resolve("cache")))) {
            int side = model.config().vision().imageSize();
            SplittableRandom rnd = new SplittableRandom(13);
            float[] px = new float[n * 3 * side * side];
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) rnd.nextGaussian();
            }
            float[] targets = new float[n * k];
            for (int i = 0; i < n; i++) {
                targets[i * k + i % k] = 1;
                targets[i * k + (i + 5) % k] = 1;
            }
            org.clipwsss.training.maskgen.MaskGeneratorTrainer.Data data =
                    new org.clipwsss.training.maskgen.MaskGeneratorTrainer.Data(px, targets, n, side, k);
            Path work = dir.resolve("mask-generator-step");
            org.clipwsss.training.maskgen.MaskGeneratorTrainer trainer = new org.clipwsss.training.maskgen.MaskGeneratorTrainer(model, work);
            int steps = Math.max(3, images / 4);
            org.clipwsss.training.maskgen.MaskGeneratorTrainer.Options o = new org.clipwsss.training.maskgen.MaskGeneratorTrainer.Options(
                    org.clipwsss.training.optim.Optimizer.adamW(0.9f, 0.999f, 1e-8f, 0f),
                    org.clipwsss.training.optim.Schedule.parse("constant", 1e-3f, steps), steps, "a", 0,
                    org.clipwsss.training.maskgen.MaskGenerator.HIDDEN, 0, 0, () -> false, batch, false);
            long[] stepStart = {System.nanoTime()};
            List<Double> seconds = new ArrayList<>();
            trainer.train(data, trainer.classTexts(ClassList.voc().names()), null, o, (step, loss) -> {
                long now = System.nanoTime();
                seconds.add((now - stepStart[0]) / 1e9);
                stepStart[0] = now;
            });
            double mean = seconds.subList(1, seconds.size()).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            out.printf("mask generator stage a (%s image tower, %d pairs per batch, %d classes, device %s): %.3f s per step over %d steps%n",
                    shapes, batch, k, sessions.device(), mean, seconds.size() - 1);
            if (json != null) {
                AtomicFiles.writeString(json, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(
                        Map.of("shapes", shapes, "pairs_per_batch", batch, "classes", k, "seconds_per_step", mean, "steps", seconds.size() - 1)) + "\n");
            }
        }
        return 0;
    }

    /** The fixture image of the CRF conformance test, used by --crf when the command runs in the source tree. */
    private static final Path CRF_FIXTURE = Path.of("src/test/resources/conformance/crf");

    /** Seconds per image of CLIP-ES's CRF, by stage, single thread, after a warm-up. */
    private Integer crfBench(PrintWriter out) throws IOException {
        if ((crfImage == null) != (crfCams == null)) {
            throw new ClipWsssException("--crf-image and --crf-cams go together");
        }
        Raster8 image;
        float[][] cams;
        String source;
        Path fixtureImage = CRF_FIXTURE.resolve("images/2007_000364.jpg");
        Path fixtureCams = CRF_FIXTURE.resolve("cams/2007_000364.npy");
        if (crfImage != null) {
            image = ImageFiles.read(crfImage);
            cams = CrfCommand.readCams(crfCams, image.width(), image.height());
            source = crfImage.toString();
        } else if (Files.isRegularFile(fixtureImage) && Files.isRegularFile(fixtureCams)) {
            image = ImageFiles.read(fixtureImage);
            cams = CrfCommand.readCams(fixtureCams, image.width(), image.height());
            source = fixtureImage + " (fixture)";
        } else {
            image = syntheticScene(500, 375, 5);
            cams = syntheticCams(500, 375, 2, 6);
            source = "synthetic";
        }
        ClipEsCrf.Settings settings = ClipEsCrf.Settings.clipEs();
        for (int i = 0; i < 3; i++) { // warm-up (JIT)
            ClipEsCrf.run(image, cams, settings);
        }
        int runs = Math.max(1, images);
        double prepare = 0;
        double lattice = 0;
        double inference = 0;
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < runs; i++) {
            ClipEsCrf.Timings t = ClipEsCrf.runTimed(image, cams, settings).timings();
            prepare += t.prepareSeconds();
            lattice += t.latticeSeconds();
            inference += t.inferenceSeconds();
            best = Math.min(best, t.totalSeconds());
        }
        double total = (prepare + lattice + inference) / runs;
        out.printf("CRF (CLIP-ES settings, %d iterations, %dx%d, %d labels, one thread, %s): %.3f s per image over %d runs"
                + " (best %.3f); pydensecrf: about 0.6 s for 500x375 with 3 labels%n", settings.iterations(), image.width(),
                image.height(), cams.length + 1, source, total, runs, best);
        out.printf("  %-28s %.4f%n  %-28s %.4f%n  %-28s %.4f%n", "colour bytes + unary", prepare / runs,
                "lattices (build + norm)", lattice / runs, "mean-field + labels", inference / runs);
        if (json != null) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("benchmark", "crf");
            report.put("image", source);
            report.put("width", image.width());
            report.put("height", image.height());
            report.put("labels", cams.length + 1);
            report.put("iterations", settings.iterations());
            report.put("runs", runs);
            report.put("seconds_per_image", total);
            report.put("best_seconds", best);
            report.put("prepare_seconds", prepare / runs);
            report.put("lattice_seconds", lattice / runs);
            report.put("inference_seconds", inference / runs);
            AtomicFiles.writeString(json, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n");
        }
        out.flush();
        return 0;
    }

    /** A photo-like scene: a smooth gradient with a few flat-coloured ellipses and a little noise. */
    static Raster8 syntheticScene(int w, int h, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[][] shapes = new int[6][];
        for (int k = 0; k < shapes.length; k++) {
            shapes[k] = new int[] {rnd.nextInt(w), rnd.nextInt(h), 30 + rnd.nextInt(w / 4), 30 + rnd.nextInt(h / 4),
                rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256)};
        }
        byte[] d = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] c = {60 + 120 * x / w, 80 + 100 * y / h, 140};
                for (int[] s : shapes) {
                    double dx = (x - s[0]) / (double) s[2];
                    double dy = (y - s[1]) / (double) s[3];
                    if (dx * dx + dy * dy < 1) {
                        c = new int[] {s[4], s[5], s[6]};
                    }
                }
                for (int ch = 0; ch < 3; ch++) {
                    d[(y * w + x) * 3 + ch] = (byte) Math.max(0, Math.min(255, c[ch] + rnd.nextInt(9) - 4));
                }
            }
        }
        return new Raster8(w, h, 3, d);
    }

    /** K smooth CAMs in [0, 1]: a Gaussian blob each. */
    static float[][] syntheticCams(int w, int h, int k, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] cams = new float[k][w * h];
        for (int c = 0; c < k; c++) {
            double cx = rnd.nextDouble() * w;
            double cy = rnd.nextDouble() * h;
            double s = (0.1 + 0.15 * rnd.nextDouble()) * Math.min(w, h);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    cams[c][y * w + x] = (float) Math.exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * s * s));
                }
            }
        }
        return cams;
    }

    /** Per-image seconds of each stage over the timed images. */
    private static final class StageClock {
        Map<String, Double> perImage(Pipeline p, int n) {
            Map<String, Double> m = new LinkedHashMap<>();
            p.times().summary().forEach((stage, v) -> m.put(stage, v.get("seconds").doubleValue() / n));
            return m;
        }
    }

    static List<Raster8> syntheticImages(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Raster8> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] d = new byte[500 * 375 * 3];
            for (int j = 0; j < d.length; j++) {
                d[j] = (byte) rnd.nextInt(256);
            }
            out.add(new Raster8(500, 375, 3, d));
        }
        return out;
    }
}
