package org.clipwsss.runtime.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.Failures;
import org.clipwsss.runtime.cam.Cams;
import org.clipwsss.runtime.image.ImageFiles;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.io.AtomicFiles;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.mask.Overlays;
import org.clipwsss.runtime.mask.LabelImage;
import org.clipwsss.runtime.mask.PalettePng;
import org.clipwsss.runtime.pipeline.ImageResult;
import org.clipwsss.runtime.pipeline.Pipeline;
import org.clipwsss.runtime.prompts.ClassList;
import org.clipwsss.runtime.prompts.LabelsCsv;
import org.clipwsss.runtime.select.DatasetSelection;
import org.clipwsss.runtime.select.SynonymScores;

/**
 * The pipeline over a folder of images, streaming (one image in memory at a time), resumable (an image whose
 * four outputs exist is skipped; every output is written to a temporary name and renamed), and robust (a bad
 * image is listed in errors.csv with its reason and the run goes on).
 *
 * <p>Output folder: {@code cams/NAME.npy} ([K,H,W] float32) and {@code cams/NAME.json}, {@code masks/NAME.png}
 * (VOC palette, value = index in {@code classes.txt}, 0 background), {@code overlays/NAME.png},
 * {@code selection.csv}, {@code errors.csv}, {@code classes.txt}, {@code run.json}.
 */
public final class BatchJob {
    private static final System.Logger LOG = System.getLogger(BatchJob.class.getName());
    /** Image file extensions the batch picks up (ImageIO reads them). */
    public static final List<String> EXTENSIONS = List.of("jpg", "jpeg", "png", "tif", "tiff", "bmp", "gif");

    /**
     * Where images and labels come from: a folder (or an explicit list of image files), and a labels.csv or one
     * label set for every image; optionally a class list file fixing the label values.
     */
    public record Input(Path imageDir, List<Path> imageFiles, Path labelsCsv, List<String> fixedLabels, Path classesFile,
            long maxPixels) {
        public Input {
            if (maxPixels < 1) {
                throw new ClipWsssException("the pixel limit must be at least 1, is " + maxPixels);
            }
        }

        public static Input folder(Path dir, Path labelsCsv, List<String> fixedLabels, Path classesFile) {
            return new Input(dir, null, labelsCsv, fixedLabels, classesFile, ImageFiles.DEFAULT_MAX_PIXELS);
        }

        public static Input files(List<Path> images, Path labelsCsv, List<String> fixedLabels, Path classesFile) {
            return new Input(null, List.copyOf(images), labelsCsv, fixedLabels, classesFile, ImageFiles.DEFAULT_MAX_PIXELS);
        }

        /** Images of more pixels than this are refused (from their header, before decoding). */
        public Input withMaxPixels(long max) {
            return new Input(imageDir, imageFiles, labelsCsv, fixedLabels, classesFile, max);
        }
    }

    /**
     * How the CAMs are stored in {@code cams/NAME.npy}: at most {@code maxSide} pixels on their long side (0: the
     * image's size; smaller maps are resized bilinearly, the mask is still made at full size) and in float16 or
     * float32. A 12000x9000 image with two labels is 864 MB of float32 CAMs at full size.
     */
    public record CamStorage(int maxSide, boolean float16) {
        public static final CamStorage FULL = new CamStorage(0, false);

        public CamStorage {
            if (maxSide < 0) {
                throw new ClipWsssException("the CAM resolution must be >= 0 pixels (0: the image's), is " + maxSide);
            }
        }

        NpyArray array(Cams c) {
            int w = c.width();
            int h = c.height();
            float[][] maps = c.maps();
            if (maxSide > 0 && Math.max(w, h) > maxSide) {
                double f = (double) maxSide / Math.max(w, h);
                int nw = Math.max(1, (int) Math.round(w * f));
                int nh = Math.max(1, (int) Math.round(h * f));
                float[][] small = new float[maps.length][];
                for (int k = 0; k < maps.length; k++) {
                    small[k] = org.clipwsss.runtime.cam.FloatMaps.resizeBilinear(maps[k], w, h, nw, nh);
                }
                maps = small;
                w = nw;
                h = nh;
            }
            float[] flat = new float[maps.length * w * h];
            for (int k = 0; k < maps.length; k++) {
                System.arraycopy(maps[k], 0, flat, k * w * h, w * h);
            }
            return float16 ? NpyArray.ofHalves(flat, maps.length, h, w) : NpyArray.ofFloats(flat, maps.length, h, w);
        }

        Map<String, Object> describe() {
            return Map.of("max_side", maxSide, "dtype", float16 ? "float16" : "float32");
        }
    }

    private final Pipeline pipeline;
    private CamStorage camStorage = CamStorage.FULL;
    private Shard shard;
    private Map<Path, String> origins = Map.of();
    private final Input input;
    private final Path out;
    private final ProgressListener listener;
    private final Map<String, Object> modelInfo;
    private final boolean overwrite;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param overwrite recompute images whose outputs exist instead of skipping them (resuming)
     */
    public BatchJob(Pipeline pipeline, Input input, Path out, ProgressListener listener, Map<String, Object> modelInfo,
            boolean overwrite) {
        this.overwrite = overwrite;
        this.pipeline = pipeline;
        this.input = input;
        this.out = out;
        this.listener = listener;
        this.modelInfo = modelInfo;
    }

    /** Stores the CAMs this way (default: full size, float32). */
    public BatchJob camStorage(CamStorage storage) {
        this.camStorage = storage;
        return this;
    }

    /**
     * Where images read from local copies came from (local copy -> its original, e.g. an hdfs:// URI), so that a failure
     * names the original.
     */
    public BatchJob origins(Map<Path, String> copies) {
        this.origins = Map.copyOf(copies);
        return this;
    }

    /** Processes only this shard's part of the images ({@link Shard}); null: all of them (the default). */
    public BatchJob shard(Shard s) {
        this.shard = s;
        return this;
    }

    /** The file name of a report ({@code run.json}, {@code errors.csv}) of this run: with the shard's suffix when sharded. */
    private String report(String stem, String ext) {
        return stem + (shard == null ? "" : shard.suffix()) + "." + ext;
    }

    public BatchSummary run() {
        try {
            Files.createDirectories(out.resolve("cams"));
            Files.createDirectories(out.resolve("masks"));
            Files.createDirectories(out.resolve("overlays"));
        } catch (IOException e) {
            throw ClipWsssException.file(out, "cannot create the output folder (" + e.getMessage() + ")", e);
        }
        try (OutputLock lock = shard == null ? OutputLock.acquire(out) : OutputLock.acquireShard(out, shard)) {
            return runLocked();
        }
    }

    private BatchSummary runLocked() {
        long t0 = System.nanoTime();
        List<Path> all = input.imageFiles() != null ? input.imageFiles() : listImages(input.imageDir());
        List<Path> images = shard == null ? all : shard.of(all);
        LabelsCsv labels = input.labelsCsv() == null ? null : LabelsCsv.load(input.labelsCsv());
        if (labels == null && input.fixedLabels() == null) {
            throw new ClipWsssException("give either a labels CSV or one label set for all images");
        }
        ClassList classes = input.classesFile() != null ? ClassList.load(input.classesFile())
                : ClassList.of(labels != null ? labels.allLabels() : input.fixedLabels());
        Map<String, Object> settings = new LinkedHashMap<>(pipeline.settings().toMap());
        settings.put("cam_storage", camStorage.describe());
        RunFingerprint fingerprint = new RunFingerprint(settings, pipeline.describe(),
                Map.of("folder", String.valueOf(modelInfo.get("folder"))), classes.withBackground());
        fingerprint.check(out, json, overwrite);
        try {
            // a killed run's temporary files; a shard removes only its own (the other shards may be writing theirs)
            java.util.Set<String> mine = new java.util.HashSet<>();
            images.forEach(i -> mine.add(baseName(i)));
            java.util.function.Predicate<String> own = shard == null ? t -> true
                    : t -> t.startsWith(report("run", "json")) || t.startsWith(report("errors", "csv"))
                            || mine.contains(t.substring(0, Math.max(0, t.lastIndexOf('.'))));
            for (Path dir : List.of(out, out.resolve("cams"), out.resolve("masks"), out.resolve("overlays"))) {
                OutputCheck.cleanTemporaries(dir, own);
            }
            if (shard == null && overwrite) {
                ShardReports.removeShardReports(out);
            }
        } catch (IOException e) {
            throw ClipWsssException.file(out, "cannot remove a killed run's temporary files (" + e.getMessage() + ")", e);
        }
        writeStartedRunJson(fingerprint);
        classes.writeTo(out.resolve("classes.txt"));
        boolean datasetMode = pipeline.settings().synonymMode().equals("dataset") && pipeline.settings().synonymsOn();
        Map<String, String> datasetNames = datasetMode ? datasetSelection(all, labels, fingerprint) : null;
        if (datasetMode && datasetNames == null) {
            // a shard's first pass: its scores for the dataset-wide choice are written; summarize picks the names
            BatchSummary scored = new BatchSummary(images.size(), 0, 0, 0, false, (System.nanoTime() - t0) / 1e9, out, List.of(), null,
                    "shard " + shard + ": its synonym scores are in " + report("synonym-scores", "json") + "; when every shard has"
                    + " written its scores, run summarize on the output folder, then run the shards again");
            writeRunJson(scored, classes, null, fingerprint, "scored");
            listener.finished(scored);
            return scored;
        }
        Map<String, String> clashes = clashes(all);
        java.util.SortedSet<Integer> labelCounts = new java.util.TreeSet<>();
        for (Path image : images) {
            List<String> l = labels == null ? input.fixedLabels() : labels.labelsFor(image.getFileName().toString());
            if (l != null && !l.isEmpty()) {
                labelCounts.add(l.size());
            }
        }
        try {
            pipeline.prepare(classes.names(), datasetNames, labelCounts);
        } catch (RuntimeException e) {
            // best effort: each image then readies its own classes, and fails with its own error if this one persists
            LOG.log(System.Logger.Level.WARNING, "readying the classes ahead of the first image failed (" + e.getMessage()
                    + "); each image readies its own");
        }

        listener.started(images.size());
        boolean cancelled = false;
        Tally tally = new Tally(images.size());
        java.util.concurrent.ExecutorService reader = java.util.concurrent.Executors.newSingleThreadExecutor(daemon("clip-wsss-read"));
        java.util.concurrent.ExecutorService writer = java.util.concurrent.Executors.newSingleThreadExecutor(daemon("clip-wsss-write"));
        try {
            java.util.concurrent.Future<Prepared> ahead = images.isEmpty() ? null
                    : reader.submit(() -> prepare(images.get(0), labels, classes, clashes));
            java.util.concurrent.Future<ImageOutcome> writing = null;
            for (int i = 0; i < images.size() && tally.stoppedBy == null; i++) {
                if (listener.cancelRequested()) {
                    cancelled = true;
                    break;
                }
                Prepared p = ahead.get();
                int next = i + 1;
                ahead = next < images.size() ? reader.submit(() -> prepare(images.get(next), labels, classes, clashes)) : null;
                Computed c = p.outcome != null ? null : compute(p, datasetNames);
                tally.report(writing);
                writing = null;
                if (c != null && c.outcome == null) {
                    writing = writer.submit(() -> write(p, c, classes));
                } else {
                    tally.report(p.outcome != null ? p.outcome : c.outcome);
                }
            }
            tally.report(writing);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancelled = true;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a batch stage failed outside its image", e.getCause());
        } finally {
            reader.shutdownNow();
            writer.shutdown();
        }
        if (shard == null) {
            writeSelectionCsv(out, json); // sharded: summarize writes it, once every shard is done
        }
        writeErrorsCsv(tally.failures);
        BatchSummary summary = new BatchSummary(images.size(), tally.done, tally.skipped, tally.failures.size(), cancelled,
                (System.nanoTime() - t0) / 1e9, out, tally.failures, tally.stoppedBy);
        writeRunJson(summary, classes, datasetNames, fingerprint);
        listener.finished(summary);
        return summary;
    }

    /**
     * Images whose names differ only in their extension ({@code x.jpg}, {@code x.png}) would write the same output
     * files: each of them is reported, none is processed. File name -> reason.
     */
    static Map<String, String> clashes(List<Path> images) {
        Map<String, List<String>> byBase = new LinkedHashMap<>();
        for (Path p : images) {
            byBase.computeIfAbsent(baseName(p), k -> new ArrayList<>()).add(p.getFileName().toString());
        }
        Map<String, String> out = new LinkedHashMap<>();
        byBase.forEach((base, files) -> {
            if (files.size() > 1) {
                for (String f : files) {
                    out.put(f, "its outputs (" + base + ".*) would be the same files as those of " + String.join(" and ",
                            files.stream().filter(o -> !o.equals(f)).toList()) + ": rename one of them");
                }
            }
        });
        return out;
    }

    /** run.json as the run starts: its fingerprint, so that a killed run's folder is resumed only with the same settings. */
    private void writeStartedRunJson(RunFingerprint fingerprint) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("status", "running");
        run.put("clip_wsss_version", org.clipwsss.runtime.Version.get());
        if (shard != null) {
            run.put("shard", Map.of("index", shard.index(), "count", shard.count()));
        }
        run.put("fingerprint", fingerprint.values());
        Path file = out.resolve(report("run", "json"));
        try {
            AtomicFiles.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(run) + "\n");
        } catch (IOException e) {
            throw ClipWsssException.file(file, "cannot write (" + e.getMessage() + ")", e);
        }
    }

    /** The image files of a folder that a batch picks up, sorted by name. */
    public static List<Path> listImages(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw ClipWsssException.file(dir, Files.exists(dir) ? "not a folder" : "input folder does not exist");
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String ext = extension(p.getFileName().toString());
                if (Files.isRegularFile(p) && EXTENSIONS.contains(ext)) {
                    files.add(p);
                }
            }
        } catch (IOException e) {
            throw ClipWsssException.file(dir, "cannot list the folder (" + e.getMessage() + ")", e);
        }
        files.sort(null);
        return files;
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    static String baseName(Path image) {
        String name = image.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    private List<Path> outputs(String name) {
        return List.of(out.resolve("cams/" + name + ".npy"), out.resolve("cams/" + name + ".json"),
                out.resolve("masks/" + name + ".png"), out.resolve("overlays/" + name + ".png"));
    }

    private List<String> labelsOf(Path image, LabelsCsv labels, ClassList classes) {
        List<String> l = labels == null ? input.fixedLabels() : labels.labelsFor(image.getFileName().toString());
        if (l == null) {
            throw new ClipWsssException("missing labels (no row for it in " + input.labelsCsv().getFileName() + ")");
        }
        for (String c : l) {
            if (classes.indexOf(c) < 0) {
                throw new ClipWsssException("unknown class '" + c + "' (not in the run's class list " + classes.names() + ")");
            }
        }
        return l;
    }

    /** The image's four outputs exist, are whole, and were made for its labels as this run has them. */
    private boolean alreadyComplete(Path image, LabelsCsv labels, ClassList classes) {
        List<Path> o = outputs(baseName(image));
        if (!o.stream().allMatch(Files::isRegularFile)) {
            return false;
        }
        List<String> l;
        try {
            l = labelsOf(image, labels, classes);
        } catch (ClipWsssException e) {
            return false;
        }
        return OutputCheck.complete(o.get(0), o.get(1), o.get(2), o.get(3), image.getFileName().toString(), l, json);
    }

    /**
     * The outcomes in image order, counted and passed to the listener; a failure that ends the run is noted. The
     * images go through three stages at once: the next one is read while one is computed and the one before is
     * written (the mask, with the CRF when asked, is made there too), so decoding and writing run beside the model.
     */
    private final class Tally {
        final int total;
        final List<ImageOutcome> failures = new ArrayList<>();
        int done;
        int skipped;
        int reported;
        String stoppedBy;

        Tally(int total) {
            this.total = total;
        }

        void report(java.util.concurrent.Future<ImageOutcome> pending) throws InterruptedException, java.util.concurrent.ExecutionException {
            if (pending != null) {
                report(pending.get());
            }
        }

        void report(ImageOutcome o) {
            switch (o.status()) {
                case DONE -> done++;
                case SKIPPED -> skipped++;
                default -> failures.add(o);
            }
            if (o.endsTheRun() && stoppedBy == null) {
                stoppedBy = o.image() + ": " + o.reason();
            }
            listener.imageFinished(o, ++reported, total);
        }
    }

    /** An image read ahead: its labels and pixels, or its outcome already (skipped, or failed before the model). */
    private record Prepared(Path image, List<String> labels, Raster8 raster, ImageOutcome outcome, long t0) {
    }

    /** The model's part of an image, or its failure. */
    private record Computed(ImageResult result, ImageOutcome outcome) {
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Stage 1 (reader thread): skip a complete image, else its labels and pixels; whatever it throws fails the image. */
    private Prepared prepare(Path image, LabelsCsv labels, ClassList classes, Map<String, String> clashes) {
        String file = image.getFileName().toString();
        long t0 = System.nanoTime();
        String clash = clashes.get(file);
        if (clash != null) {
            return new Prepared(image, null, null, new ImageOutcome(file, ImageOutcome.Status.FAILED, clash, 0), t0);
        }
        try {
            if (!overwrite && alreadyComplete(image, labels, classes)) {
                return new Prepared(image, null, null, new ImageOutcome(file, ImageOutcome.Status.SKIPPED, "", 0), t0);
            }
            List<String> l = labelsOf(image, labels, classes);
            return new Prepared(image, l, ImageFiles.read(image, input.maxPixels()), null, t0);
        } catch (Throwable e) { // NOPMD: one image must never end the batch, whatever it throws (Errors included)
            return new Prepared(image, null, null, failed(image, file, e, t0), t0);
        }
    }

    /** Stage 2 (this thread): the pipeline. */
    private Computed compute(Prepared p, Map<String, String> names) {
        try {
            return new Computed(pipeline.process(p.raster(), p.labels(), names), null);
        } catch (Throwable e) { // NOPMD: as above
            return new Computed(null, failed(p.image(), p.image().getFileName().toString(), e, p.t0()));
        }
    }

    /** Stage 3 (writer thread): the mask and every output file, each written atomically. */
    private ImageOutcome write(Prepared p, Computed c, ClassList classes) {
        String file = p.image().getFileName().toString();
        String name = baseName(p.image());
        try {
            ImageResult r = c.result();
            int[] index = p.labels().stream().mapToInt(classes::indexOf).toArray();
            Cams cams = r.cams();
            long t1 = System.nanoTime();
            LabelImage mask = pipeline.mask(cams, index, p.raster());
            Npy.write(out.resolve("cams/" + name + ".npy"), camStorage.array(cams));
            AtomicFiles.writeString(out.resolve("cams/" + name + ".json"), json.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(camJson(file, r, index)) + "\n");
            PalettePng.write(out.resolve("masks/" + name + ".png"), mask);
            Overlays.writePng(out.resolve("overlays/" + name + ".png"), Overlays.render(p.raster(), cams.maps(), cams.width(), cams.height()));
            pipeline.times().add("write", System.nanoTime() - t1);
            return new ImageOutcome(file, ImageOutcome.Status.DONE, "", (System.nanoTime() - p.t0()) / 1e9);
        } catch (Throwable e) { // NOPMD: as above
            return failed(p.image(), file, e, p.t0());
        }
    }

    /**
     * A failed image: its reason (naming where the image came from when it was read from a local copy), and whether
     * the failure ends the run ({@link Failures#endsTheRun}).
     */
    private ImageOutcome failed(Path image, String file, Throwable e, long t0) {
        String reason = Failures.describe(e);
        String origin = origins.get(image);
        if (origin != null) {
            reason = reason.replace(image.toString(), origin);
        }
        ImageOutcome o = new ImageOutcome(file, ImageOutcome.Status.FAILED, reason, (System.nanoTime() - t0) / 1e9);
        return Failures.endsTheRun(e) ? o.endingTheRun() : o;
    }

    private ObjectNode camJson(String file, ImageResult r, int[] index) {
        ObjectNode o = json.createObjectNode();
        o.put("image", file);
        o.put("width", r.cams().width());
        o.put("height", r.cams().height());
        ArrayNode cls = o.putArray("classes");
        ArrayNode idx = o.putArray("class_indices");
        ArrayNode names = o.putArray("names");
        for (int k = 0; k < index.length; k++) {
            cls.add(r.prompts().get(k).label());
            idx.add(index[k]);
            names.add(r.prompts().get(k).name());
        }
        o.put("cam_source", pipeline.describe());
        ArrayNode sel = o.putArray("selection");
        for (SynonymScores s : r.selections()) {
            ObjectNode e = sel.addObject();
            e.put("class", s.label());
            e.put("selected", s.selected());
            e.put("probability", s.selectedProbability());
            ArrayNode cands = e.putArray("candidates");
            ArrayNode cos = e.putArray("cosine");
            ArrayNode prob = e.putArray("probability_all");
            for (int j = 0; j < s.candidates().size(); j++) {
                cands.add(s.candidates().get(j));
                cos.add(s.cosine()[j]);
                prob.add(s.probability()[j]);
            }
        }
        return o;
    }

    /**
     * The dataset-wide names (POLE's per-dataset mode) over all the folder's {@code images}: from synonyms-dataset.json
     * when it was made for the same settings and images, else scored here. A shard scores only its part, writes the
     * sums to synonym-scores.shard-I-of-N.json and returns null until summarize has reduced every shard's sums into
     * synonyms-dataset.json.
     */
    private Map<String, String> datasetSelection(List<Path> images, LabelsCsv labels, RunFingerprint fingerprint) {
        Path saved = out.resolve(DatasetScores.SELECTED);
        try {
            JsonNode key = json.readTree(json.writeValueAsString(Map.of("fingerprint", fingerprint.values(), "images", images.stream()
                    .map(p -> p.getFileName().toString()).toList(), "labels", String.valueOf(input.labelsCsv() != null
                    ? input.labelsCsv().toAbsolutePath() : input.fixedLabels()))));
            if ((!overwrite || shard != null) && Files.isRegularFile(saved)) {
                JsonNode old = json.readTree(saved.toFile());
                if (key.equals(old.path("key"))) {
                    Map<String, String> m = new LinkedHashMap<>();
                    old.path("selected").fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
                    return m;
                }
            }
            DatasetSelection sel = new DatasetSelection();
            if (shard != null) {
                Path scores = out.resolve(report("synonym-scores", "json"));
                if (!Files.isRegularFile(scores) || !key.equals(json.readTree(scores.toFile()).path("key"))) {
                    score(sel, shard.of(images), labels);
                    DatasetScores.writeScores(scores, key, sel, json);
                }
                return null;
            }
            score(sel, images, labels);
            DatasetScores.writeSelected(saved, key, sel, json);
            return sel.choices();
        } catch (IOException e) {
            throw ClipWsssException.file(saved, "cannot read or write the per-dataset selection (" + e.getMessage() + ")", e);
        }
    }

    private void score(DatasetSelection sel, List<Path> images, LabelsCsv labels) {
        for (Path image : images) {
            List<String> l = labels == null ? input.fixedLabels() : labels.labelsFor(image.getFileName().toString());
            if (l == null) {
                continue;
            }
            try {
                sel.add(pipeline.scoreSynonyms(ImageFiles.read(image, input.maxPixels()), l));
            } catch (Exception | OutOfMemoryError | StackOverflowError | AssertionError e) {
                // the image fails again, with its reason, in the main pass; it just does not vote here
                continue;
            }
        }
    }

    /** selection.csv from every image's cams/NAME.json (so a resumed run lists the earlier images too). */
    static void writeSelectionCsv(Path out, ObjectMapper json) {
        StringBuilder csv = new StringBuilder("image,class,chosen_name,probability\n");
        List<Path> jsons = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(out.resolve("cams"), "*.json")) {
            s.forEach(jsons::add);
        } catch (IOException e) {
            throw ClipWsssException.file(out.resolve("cams"), "cannot list (" + e.getMessage() + ")", e);
        }
        jsons.sort(null);
        for (Path p : jsons) {
            try {
                JsonNode n = json.readTree(p.toFile());
                Map<String, Double> prob = new LinkedHashMap<>();
                n.path("selection").forEach(s -> prob.put(s.path("class").asText(), s.path("probability").asDouble()));
                for (int k = 0; k < n.path("classes").size(); k++) {
                    String cls = n.path("classes").get(k).asText();
                    Double pr = prob.get(cls);
                    csv.append(csvField(n.path("image").asText())).append(',').append(csvField(cls)).append(',')
                            .append(csvField(n.path("names").get(k).asText())).append(',')
                            .append(pr == null ? "" : String.format(Locale.ROOT, "%.6f", pr)).append('\n');
                }
            } catch (IOException e) {
                throw ClipWsssException.file(p, "unreadable CAM metadata (" + e.getMessage() + ")", e);
            }
        }
        AtomicFiles.writeString(out.resolve("selection.csv"), csv.toString());
    }

    private void writeErrorsCsv(List<ImageOutcome> failures) {
        StringBuilder csv = new StringBuilder("image,reason\n");
        for (ImageOutcome f : failures) {
            csv.append(csvField(f.image())).append(',').append(csvField(f.reason())).append('\n');
        }
        AtomicFiles.writeString(out.resolve(report("errors", "csv")), csv.toString());
    }

    private void writeRunJson(BatchSummary s, ClassList classes, Map<String, String> datasetNames, RunFingerprint fingerprint) {
        writeRunJson(s, classes, datasetNames, fingerprint, s.stoppedBy() != null ? "stopped" : s.cancelled() ? "cancelled" : "finished");
    }

    private void writeRunJson(BatchSummary s, ClassList classes, Map<String, String> datasetNames, RunFingerprint fingerprint,
            String status) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("status", status);
        run.put("clip_wsss_version", org.clipwsss.runtime.Version.get());
        if (shard != null) {
            run.put("shard", Map.of("index", shard.index(), "count", shard.count()));
        }
        run.put("fingerprint", fingerprint.values());
        run.put("model", modelInfo);
        run.put("input", Map.of("images", String.valueOf(input.imageDir() != null ? input.imageDir() : input.imageFiles()), "labels",
                String.valueOf(input.labelsCsv() != null ? input.labelsCsv() : input.fixedLabels())));
        run.put("settings", pipeline.settings().toMap());
        run.put("cam_source", pipeline.describe());
        run.put("classes", classes.withBackground());
        if (datasetNames != null) {
            run.put("dataset_synonyms", datasetNames);
        }
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("images", s.total());
        counts.put("done", s.done());
        counts.put("skipped", s.skipped());
        counts.put("failed", s.failed());
        counts.put("cancelled", s.cancelled());
        counts.put("not_processed", s.notProcessed());
        if (s.stoppedBy() != null) {
            run.put("stopped_by", s.stoppedBy());
        }
        counts.put("distinct_prompts_encoded", pipeline.text().encodedCount());
        run.put("counts", counts);
        run.put("seconds", s.seconds());
        run.put("stages", pipeline.times().summary());
        List<Map<String, String>> errors = new ArrayList<>();
        for (ImageOutcome f : s.failures()) {
            errors.add(Map.of("image", f.image(), "reason", f.reason()));
        }
        run.put("errors", errors);
        Path file = out.resolve(report("run", "json"));
        try {
            AtomicFiles.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(run) + "\n");
        } catch (IOException e) {
            throw ClipWsssException.file(file, "cannot write (" + e.getMessage() + ")", e);
        }
    }

    static String csvField(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String oneLine(String m) {
        return m == null ? "" : m.replace('\n', ' ').replace('\r', ' ');
    }
}
