package org.clipwsss.training.adapters;

import org.clipwsss.runtime.clip.Adapters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.OnnxWriter;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.GraphRunner;
import org.clipwsss.runtime.session.SessionFactory;
import org.clipwsss.training.autodiff.Gradients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adapter graph on synthetic embeddings: gradients against central differences, Java adapters against the graph. */
class AdapterGraphTest {
    static final int E = 12;
    static final int H = 3;
    static final SessionFactory CPU = new SessionFactory(Device.CPU, 1);
    @TempDir
    Path tmp;

    @AfterAll
    static void close() {
        CPU.close();
    }

    /** Positive-leaning embeddings so every cosine is inside the clamp (where the loss has a gradient). */
    static AdapterTrainer.Frozen frozen() {
        SplittableRandom rnd = new SplittableRandom(11);
        int[][] pairs = {{0, 0}, {1, 0}, {1, 1}};
        float[] fg = new float[3 * E];
        float[] bg = new float[3 * E];
        float[] text = new float[2 * E];
        for (float[] a : List.of(fg, bg, text)) {
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (0.4 + rnd.nextDouble(-0.35, 0.35));
            }
        }
        return new AdapterTrainer.Frozen(pairs, fg, bg, text, E);
    }

    private GraphRunner runner(Graph g, String name) throws Exception {
        Path file = tmp.resolve(name + ".onnx");
        OnnxWriter.write(g, file, Map.of());
        return new GraphRunner(CPU, file);
    }

    @Test
    void gradientsMatchCentralDifferences() throws Exception {
        AdapterTrainer.Frozen f = frozen();
        Graph forward = AdapterTrainer.graph(f, H, 10f, 24f);
        Graph training = Gradients.of(forward, "loss", Adapters.NAMES, Adapters.shapes(E, H));
        GraphRunner fwd = runner(forward, "forward");
        GraphRunner both = runner(training, "training");
        // larger ratios than the 0.2 default so that both adapter paths carry a sizeable gradient
        float[] p = Adapters.init(E, H, 3).flat();
        int img = Adapters.size(E, H) / 2 - 1;
        p[img] = 0.6f;
        p[p.length - 1] = 0.5f;
        Adapters a = Adapters.fromFlat(E, H, p);
        List<String> wanted = new ArrayList<>(List.of("loss"));
        Adapters.NAMES.forEach(n -> wanted.add(Gradients.gradName(n)));
        Map<String, NpyArray> out = both.run(a.tensors(), wanted);
        double loss = out.get("loss").toFloats()[0];
        assertTrue(Double.isFinite(loss) && loss > 0, "loss " + loss);
        double eps = 2e-3;
        int kinks = 0;
        int checked = 0;
        SplittableRandom pick = new SplittableRandom(1);
        for (String name : Adapters.NAMES) {
            float[] grad = out.get(Gradients.gradName(name)).toFloats();
            double scale = 1e-3;
            for (float v : grad) {
                scale = Math.max(scale, Math.abs(v));
            }
            int[] coords = grad.length == 1 ? new int[] {0} : pick.ints(4, 0, grad.length).toArray();
            for (int i : coords) {
                double plus = lossWith(fwd, a, name, i, eps);
                double minus = lossWith(fwd, a, name, i, -eps);
                double numeric = (plus - minus) / (2 * eps);
                double right = (plus - loss) / eps;
                double left = (loss - minus) / eps;
                if (Math.abs(right - left) > 0.05 * scale + 1e-2) {
                    // a ReLU kink or a clamp bound within +-eps: central differences do not apply there
                    kinks++;
                    continue;
                }
                assertEquals(numeric, grad[i], 2e-2 * scale + 1e-3, name + "[" + i + "]: analytic " + grad[i] + ", numeric " + numeric);
                checked++;
            }
            assertTrue(scale > 1e-3, name + " has a non-zero gradient");
        }
        assertTrue(checked >= 14 && kinks <= 4, checked + " coordinates checked, " + kinks + " skipped at kinks");
        System.out.println("adapter gradients vs central differences: " + checked + " coordinates agree, " + kinks + " at kinks skipped");
    }

    private static double lossWith(GraphRunner fwd, Adapters a, String name, int i, double step) {
        Map<String, NpyArray> feeds = new LinkedHashMap<>(a.tensors());
        NpyArray t = feeds.get(name);
        float[] v = t.toFloats();
        v[i] = (float) (v[i] + step);
        feeds.put(name, NpyArray.ofFloats(v, t.shape()));
        return fwd.run(feeds, List.of("loss")).get("loss").toFloats()[0];
    }

    @Test
    void javaAdaptersEqualTheGraphAndTheLossFormula() throws Exception {
        AdapterTrainer.Frozen f = frozen();
        Adapters a = Adapters.init(E, H, 7);
        Map<String, NpyArray> out = runner(AdapterTrainer.graph(f, H, 10f, 24f), "forward")
                .run(a.tensors(), List.of("loss", "adapted_fg", "adapted_bg", "adapted_text"));
        float[] fg = a.adaptImage(NpyArray.ofFloats(f.foreground(), 3, E)).floats();
        float[] bg = a.adaptImage(NpyArray.ofFloats(f.background(), 3, E)).floats();
        float[] text = a.adaptText(NpyArray.ofFloats(f.text(), 2, E)).floats();
        assertClose(out.get("adapted_fg").toFloats(), fg, 1e-5);
        assertClose(out.get("adapted_bg").toFloats(), bg, 1e-5);
        assertClose(out.get("adapted_text").toFloats(), text, 1e-5);
        double sumFg = 0;
        double sumBg = 0;
        for (int i = 0; i < 3; i++) {
            int k = f.pairs()[i][1];
            sumFg += -Math.log(clamp(dot(fg, i, text, k)));
            sumBg += -Math.log(1 - clamp(dot(bg, i, text, k)));
        }
        double expected = 10 * sumFg / 3 + 24 * sumBg / 3;
        assertEquals(expected, out.get("loss").toFloats()[0], 1e-4 * expected);
    }

    @Test
    void savedAdaptersLoadBack() {
        Adapters a = Adapters.init(E, H, 5);
        a.save(tmp, Map.of("alpha", 10));
        Adapters b = Adapters.load(tmp);
        assertEquals(E, b.dim());
        assertEquals(H, b.hidden());
        org.junit.jupiter.api.Assertions.assertArrayEquals(a.flat(), b.flat());
        assertEquals(0.2f, b.imageRatio());
        assertEquals(0.2f, b.textRatio());
        float bound = (float) (1 / Math.sqrt(E));
        for (int i = 0; i < H * E; i++) {
            assertTrue(Math.abs(a.flat()[i]) <= bound, "fc1 within +-1/sqrt(fan_in)");
        }
    }

    static double clamp(double s) {
        return Math.min(Math.max(s, 1e-4), 0.9999);
    }

    private static double dot(float[] a, int i, float[] b, int k) {
        double s = 0;
        for (int j = 0; j < E; j++) {
            s += a[i * E + j] * b[k * E + j];
        }
        return s;
    }

    static void assertClose(float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol, "element " + i);
        }
    }
}
