package org.clipwsss.training.gradcam;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.clipwsss.runtime.cam.BackgroundPrompts;
import org.clipwsss.runtime.cam.Cams;
import org.clipwsss.runtime.cam.ClassPrompt;
import org.clipwsss.runtime.cam.ImageContext;
import org.clipwsss.runtime.cam.TextEmbeddings;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.clip.GraphSource;
import org.clipwsss.runtime.image.ImageFiles;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.prompts.BackgroundWords;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Grad-CAM on a whole-image grid: equal to the windowed Grad-CAM where one window is the whole image; and where
 * windows remain, the affinity-refined windowed map agrees with the single-grid one on an image that fits one grid.
 */
class GradCamGridTest {
    static final Path CLIPES = Path.of("src/test/resources/conformance/clip-es");
    @TempDir
    static Path cache;
    static SessionFactory sessions;
    static ClipModel model;
    static TextEmbeddings text;
    static BackgroundPrompts background;

    @BeforeAll
    static void open() {
        sessions = new SessionFactory(Device.CPU, 2);
        model = ClipModel.open(CLIPES.resolve("model"), ClipModel.Options.defaults().withSessions(sessions).withCacheRoot(cache)
                .withSource(GraphSource.SAFETENSORS));
        text = TextEmbeddings.of(model);
        background = BackgroundPrompts.words(BackgroundWords.clipEs(), "a clean origami {}.", text);
    }

    @AfterAll
    static void close() {
        model.close();
        sessions.close();
    }

    static GradCamCams cams(boolean affinity, int budget) {
        return new GradCamCams(model, text, "a clean origami {}.", background, 100f, 0, 1.0 / 3, 4, affinity, budget);
    }

    static Cams run(GradCamCams c, Raster8 img, String... labels) {
        return c.compute(new ImageContext(img, null), java.util.Arrays.stream(labels).map(ClassPrompt::of).toList());
    }

    @Test
    void theTransitionInTheGraphEqualsThePlainJavaOne() {
        GraphFiles files = new GraphFiles(model, "trunk_test");
        int gh = 6;
        int gw = 9;
        int p = model.config().vision().patchSize();
        float[] px = new float[3 * gh * p * gw * p];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) r.nextGaussian();
        }
        java.util.Map<String, org.clipwsss.runtime.io.NpyArray> out = files.gridTrunk(GradCamCams.AFFINITY_LAYERS).run(java.util.Map.of(
                "pixel_values", org.clipwsss.runtime.io.NpyArray.ofFloats(px, 1, 3, gh * p, gw * p),
                "position_embeddings", model.positionEmbeddings(gh, gw, true)), List.of("attention", "transition"));
        float[] java = AttentionAffinity.transition(out.get("attention").floats(), gh * gw);
        float[] graph = out.get("transition").floats();
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < java.length; i++) {
            worst = Math.max(worst, Math.abs(java[i] - graph[i]));
            scale = Math.max(scale, Math.abs(java[i]));
        }
        assertTrue(worst <= 1e-5 * scale, "max |difference| " + worst + " for values up to " + scale);
    }

    @Test
    void onAnImageOfTheModelsSizeTheGridEqualsTheWindow() {
        Raster8 img = ImageFiles.read(CLIPES.resolve("images/2007_000515.jpg")).crop(100, 50, 224, 224);
        for (boolean affinity : new boolean[] {false, true}) {
            Cams grid = run(cams(affinity, 2048), img, "car", "person");
            Cams window = run(cams(affinity, 0), img, "car", "person");
            for (int k = 0; k < 2; k++) {
                // the same patch values; only the way up to pixels differs (one bilinear resize, or the window blend's two)
                double r = ClipEsConformanceTest.pearson(toDouble(grid.maps()[k]), toDouble(window.maps()[k]));
                assertTrue(r > 0.999, "affinity " + affinity + " map " + k + ": r " + r);
            }
        }
    }

    /**
     * The measure: per map, Pearson r between the windowed map and the single-grid map (both min-max normalised;
     * the windows see the image at another resolution, so r cannot be 1), and the share of the windowed map's
     * variance that a linear trend along the long axis explains (a ramp), against the single grid's. Refining and
     * rescaling each window to its Grad-CAM range made the windowed maps ramps (share 0.75-0.95, r -0.54 to 0.50
     * here); each window's refined map is now min-max normalised before the blend, as CLIP-ES normalises its grid.
     */
    @Test
    void windowedAffinityAgreesWithTheSingleGridAndIsNoRamp() {
        double sum = 0;
        int count = 0;
        for (String name : List.of("2007_000515", "2007_000039", "2007_002293", "2007_000032")) {
            Raster8 img = ImageFiles.read(CLIPES.resolve("images/" + name + ".jpg"));
            Cams grid = run(cams(true, 2048), img, "car", "person");
            Cams windows = run(cams(true, 0), img, "car", "person");
            for (int k = 0; k < 2; k++) {
                double r = ClipEsConformanceTest.pearson(toDouble(grid.maps()[k]), toDouble(windows.maps()[k]));
                double rampWindows = ramp(windows.maps()[k], img.width(), img.height());
                double rampGrid = ramp(grid.maps()[k], img.width(), img.height());
                System.out.printf("%s map %d: r(windows, grid) %.3f; ramp share: windows %.3f, grid %.3f%n", name, k, r, rampWindows, rampGrid);
                assertTrue(r >= 0.5, name + " map " + k + ": r " + r);
                assertTrue(rampWindows <= rampGrid + 0.15, name + " map " + k + ": a ramp (" + rampWindows + " vs " + rampGrid + ")");
                sum += r;
                count++;
            }
        }
        assertTrue(sum / count >= 0.75, "mean r " + sum / count);
        // four image sizes, one gradient graph per rows x texts: no graph per token count
        try (var files = java.nio.file.Files.walk(cache)) {
            List<String> tails = files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("gradcam_tail") && f.endsWith(".onnx"))
                    .toList();
            assertTrue(!tails.isEmpty() && tails.stream().allMatch(f -> f.matches("gradcam_tail_\\d+x\\d+_gradcam2_.*\\.onnx")), tails.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** The share of a map's variance that a linear trend along the image's long axis explains (R^2). */
    static double ramp(float[] m, int w, int h) {
        boolean alongX = w >= h;
        double n = m.length;
        double mt = 0;
        double mv = 0;
        for (int i = 0; i < m.length; i++) {
            mt += alongX ? i % w : i / w;
            mv += m[i];
        }
        mt /= n;
        mv /= n;
        double stv = 0;
        double stt = 0;
        double svv = 0;
        for (int i = 0; i < m.length; i++) {
            double t = (alongX ? i % w : i / w) - mt;
            double v = m[i] - mv;
            stv += t * v;
            stt += t * t;
            svv += v * v;
        }
        return svv == 0 ? 0 : stv * stv / (stt * svv);
    }
}
