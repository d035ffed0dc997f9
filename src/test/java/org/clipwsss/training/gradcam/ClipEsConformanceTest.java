package org.clipwsss.training.gradcam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.clipwsss.runtime.cam.Cams;
import org.clipwsss.runtime.cam.ClassPrompt;
import org.clipwsss.runtime.cam.ImageContext;
import org.clipwsss.runtime.cam.TextEmbeddings;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.clip.GraphSource;
import org.clipwsss.runtime.image.ImageFiles;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CLIP-ES's own outputs (src/test/resources/conformance/clip-es: its generate_cams_voc12.py on a random-weight
 * ViT-B/16-geometry CLIP and six VOC photos) against {@link ClipEsCams}, with the fixture README's measure: per
 * map, both min-max normalised, Pearson r >= 0.9999 and max |difference| <= 0.01; the boxes exactly.
 */
class ClipEsConformanceTest {
    static final Path DIR = Path.of("src/test/resources/conformance/clip-es");
    static final double MIN_R = 0.9999;
    static final double MAX_DIFF = 0.01;
    static JsonNode settings;
    static SessionFactory sessions;
    static ClipModel model;
    static TextEmbeddings text;
    @TempDir
    static Path cache;

    @BeforeAll
    static void open() throws Exception {
        settings = new ObjectMapper().readTree(DIR.resolve("reference/settings.json").toFile());
        sessions = new SessionFactory(Device.CPU, 2);
        model = ClipModel.open(DIR.resolve("model"), ClipModel.Options.defaults().withSessions(sessions).withCacheRoot(cache)
                .withSource(GraphSource.SAFETENSORS));
        text = TextEmbeddings.of(model);
    }

    @AfterAll
    static void close() {
        model.close();
        sessions.close();
    }

    static Stream<String> images() {
        List<String> names = new ArrayList<>();
        try {
            Files.readAllLines(DIR.resolve("images/labels.csv")).stream().skip(1).forEach(l -> names.add(l.split(",")[0].replace(".jpg", "")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return names.stream();
    }

    static List<String> backgroundWords() {
        List<String> words = new ArrayList<>();
        settings.path("background_words").forEach(w -> words.add(w.asText()));
        return words;
    }

    static ClipEsCams cams(boolean affinity) {
        return new ClipEsCams(model, text, settings.path("template").asText(), backgroundWords(), model.logitScale(), affinity);
    }

    /** The image's labels with CLIP-ES's names for them, from the fixture's settings. */
    static List<ClassPrompt> prompts(String image) {
        JsonNode im = settings.path("images").path(image);
        List<ClassPrompt> out = new ArrayList<>();
        for (int k = 0; k < im.path("labels").size(); k++) {
            out.add(new ClassPrompt(im.path("labels").get(k).asText(), im.path("clip_es_names").get(k).asText()));
        }
        return out;
    }

    static Raster8 image(String name) {
        return ImageFiles.read(DIR.resolve("images/" + name + ".jpg"));
    }

    @Test
    void theLogitScaleAndTheTextFeaturesAreClipEss() {
        assertEquals(settings.path("logit_scale").path("exp").asDouble(), model.logitScale(), 1e-5);
        NpyArray ref = Npy.read(DIR.resolve("reference/text_features.npy"));
        List<String> prompts = new ArrayList<>();
        settings.path("class_names").forEach(n -> prompts.add(settings.path("template").asText().replace("{}", n.asText())));
        backgroundWords().forEach(w -> prompts.add(settings.path("template").asText().replace("{}", w)));
        float[][] ours = text.get(prompts);
        float[] r = ref.floats();
        int e = (int) ref.shape()[1];
        for (int i = 0; i < ours.length; i++) {
            for (int j = 0; j < e; j++) {
                assertEquals(r[i * e + j], ours[i][j], 1e-4, "text feature " + i + "," + j);
            }
        }
    }

    @Test
    void prepareEncodesEveryClassAndBackgroundPromptInOneRunAndOpensATailPerLabelCount(@TempDir Path own) throws Exception {
        List<Integer> runs = new ArrayList<>();
        try (SessionFactory f = new SessionFactory(Device.CPU, 2);
                ClipModel m = ClipModel.open(DIR.resolve("model"), ClipModel.Options.defaults().withSessions(f).withCacheRoot(own)
                        .withSource(GraphSource.SAFETENSORS))) {
            TextEmbeddings plain = TextEmbeddings.of(m);
            TextEmbeddings counted = new TextEmbeddings(texts -> {
                runs.add(texts.size());
                return plain.get(texts);
            });
            ClipEsCams c = new ClipEsCams(m, counted, settings.path("template").asText(), backgroundWords(), m.logitScale(), true);
            List<ClassPrompt> all = new ArrayList<>();
            images().forEach(name -> prompts(name).stream().filter(p -> !all.contains(p)).forEach(all::add));
            java.util.SortedSet<Integer> counts = new java.util.TreeSet<>();
            images().forEach(name -> counts.add(prompts(name).size()));
            int before = f.cachedSessions();
            c.prepare(all, counts);
            assertEquals(List.of(all.size() + backgroundWords().size()), runs, "one run, every distinct prompt");
            assertEquals(before + 1 + counts.size(), f.cachedSessions(), "the text tower and a tail per label count");
            try (Stream<Path> files = Files.walk(own)) {
                List<String> tails = files.map(p -> p.getFileName().toString())
                        .filter(p -> p.startsWith("clipes_tail_") && p.endsWith(".onnx")).toList();
                assertEquals(counts.size(), tails.size(), tails.toString());
                for (int k : counts) {
                    String tail = "clipes_tail_" + k + "x" + (k + backgroundWords().size()) + "_affinity_";
                    assertTrue(tails.stream().anyMatch(p -> p.startsWith(tail)), tail + " in " + tails);
                }
            }
            String name = images().findFirst().orElseThrow();
            ClipEsCams.Grids g = c.grids(image(name), prompts(name));
            assertEquals(1, runs.size(), "an image's prompts are ready");
            assertEquals(before + 2 + counts.size(), f.cachedSessions(), "then only the trunk opens");
            assertEquals(prompts(name).size(), g.gradcam().length);
        }
    }

    @ParameterizedTest
    @MethodSource("images")
    void gridsBoxesProbabilitiesAndMapsMatchClipEs(String name) {
        JsonNode im = settings.path("images").path(name);
        List<ClassPrompt> prompts = prompts(name);
        Raster8 img = image(name);
        ClipEsCams.Grids g = cams(true).grids(img, prompts);
        assertEquals(im.path("grid_hw").get(0).asInt(), g.gridHeight());
        assertEquals(im.path("grid_hw").get(1).asInt(), g.gridWidth());
        JsonNode probs = im.path("probabilities");
        assertEquals(probs.size(), g.probabilities().length);
        for (int i = 0; i < probs.size(); i++) {
            assertEquals(probs.get(i).asDouble(), g.probabilities()[i], 1e-5, "softmax probability " + i);
        }
        NpyArray gradGrid = Npy.read(DIR.resolve("reference/" + name + ".gradcam_grid.npy"));
        NpyArray refinedGrid = Npy.read(DIR.resolve("reference/" + name + ".refined_grid.npy"));
        int n = g.gridWidth() * g.gridHeight();
        for (int k = 0; k < prompts.size(); k++) {
            String label = prompts.get(k).label();
            float[] refGrad = slice(gradGrid, k, n);
            compare(name + " " + label + " grid Grad-CAM", refGrad, g.gradcam()[k]);
            compare(name + " " + label + " refined grid", slice(refinedGrid, k, n), g.refined()[k]);
            // the boxes exactly, from CLIP-ES's own grid Grad-CAM (as a set: CLIP-ES lists hole contours too)
            List<int[]> ours = AttentionAffinity.boxes(refGrad, g.gridWidth(), g.gridHeight());
            float[] ourMask = AttentionAffinity.boxMask(refGrad, g.gridWidth(), g.gridHeight());
            float[] theirMask = new float[n];
            for (JsonNode b : im.path("boxes_x0y0x1y1").path(label)) {
                for (int y = b.get(1).asInt(); y < b.get(3).asInt(); y++) {
                    for (int x = b.get(0).asInt(); x < b.get(2).asInt(); x++) {
                        theirMask[y * g.gridWidth() + x] = 1f;
                    }
                }
                boolean listed = ours.stream().anyMatch(o -> o[0] == b.get(0).asInt() && o[1] == b.get(1).asInt()
                        && o[2] == b.get(2).asInt() && o[3] == b.get(3).asInt());
                boolean hole = ours.stream().anyMatch(o -> o[0] <= b.get(0).asInt() && o[1] <= b.get(1).asInt()
                        && o[2] >= b.get(2).asInt() && o[3] >= b.get(3).asInt());
                assertTrue(listed || hole, name + " " + label + ": CLIP-ES's box " + b + " is ours or inside ours");
            }
            assertArrayEquals(theirMask, ourMask, name + " " + label + ": box masks");
        }
    }

    @ParameterizedTest
    @MethodSource("images")
    void savedMapsEqualClipEssRefinedAndGradCamMaps(String name) {
        List<ClassPrompt> prompts = prompts(name);
        Raster8 img = image(name);
        Cams refined = cams(true).compute(new ImageContext(img, null), prompts);
        Cams gradcam = cams(false).compute(new ImageContext(img, null), prompts);
        NpyArray refRefined = Npy.read(DIR.resolve("reference/" + name + ".refined.npy"));
        NpyArray refGradcam = Npy.read(DIR.resolve("reference/" + name + ".gradcam.npy"));
        assertArrayEquals(new long[] {prompts.size(), img.height(), img.width()}, refRefined.shape());
        int n = img.width() * img.height();
        for (int k = 0; k < prompts.size(); k++) {
            compare(name + " " + prompts.get(k).label() + " refined", slice(refRefined, k, n), refined.maps()[k]);
            compare(name + " " + prompts.get(k).label() + " Grad-CAM", slice(refGradcam, k, n), gradcam.maps()[k]);
        }
    }

    static float[] slice(NpyArray a, int k, int n) {
        return java.util.Arrays.copyOfRange(a.floats(), k * n, (k + 1) * n);
    }

    /** The fixture README's measure: both min-max normalised, Pearson r and the largest difference. */
    static void compare(String what, float[] reference, float[] ours) {
        double[] a = minMax(reference);
        double[] b = minMax(ours);
        double maxDiff = 0;
        for (int i = 0; i < a.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        }
        double r = pearson(a, b);
        System.out.printf("%s: r = 1 - %.2e, max diff %.2e%n", what, 1 - r, maxDiff);
        assertTrue(r >= MIN_R && maxDiff <= MAX_DIFF, what + ": r " + r + ", max diff " + maxDiff);
    }

    static double[] minMax(float[] m) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float v : m) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            out[i] = max > min ? (m[i] - min) / (max - min) : 0;
        }
        return out;
    }

    static double pearson(double[] a, double[] b) {
        boolean ca = constant(a);
        boolean cb = constant(b);
        if (ca || cb) {
            return ca && cb ? 1 : 0;
        }
        double ma = java.util.Arrays.stream(a).average().orElse(0);
        double mb = java.util.Arrays.stream(b).average().orElse(0);
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }

    static boolean constant(double[] a) {
        for (double v : a) {
            if (v != a[0]) {
                return false;
            }
        }
        return true;
    }
}
