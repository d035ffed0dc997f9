package org.clipwsss.training.autodiff;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.OnnxWriter;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.GraphRunner;
import org.clipwsss.runtime.session.SessionFactory;

/** Runs graphs on the CPU and compares analytic gradients with central finite differences. */
final class GradCheck {
    static final SessionFactory CPU = new SessionFactory(Device.CPU, 1);
    private static final AtomicInteger FILES = new AtomicInteger();

    private GradCheck() {
    }

    static GraphRunner runner(Graph g, Path dir) {
        Path file = dir.resolve(g.name() + "_" + FILES.incrementAndGet() + ".onnx");
        try {
            OnnxWriter.write(g, file, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new GraphRunner(CPU, file);
    }

    /**
     * Values of magnitude in [0.225, 0.975] with random signs, odd multiples of 0.025: at least 0.025 away
     * from the kinks of Relu (0) and of Clip at multiples of 0.05.
     */
    static NpyArray random(Random rnd, long... shape) {
        float[] v = new float[(int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (rnd.nextBoolean() ? 1 : -1) * (0.225f + 0.05f * rnd.nextInt(16));
        }
        return NpyArray.ofFloats(v, shape);
    }

    /**
     * The largest difference between the analytic gradient of {@code loss} and central differences (step
     * {@code eps}) over every element of every {@code wrt} input, relative to the largest gradient magnitude.
     */
    static double maxRelativeError(Graph forward, String loss, Map<String, NpyArray> feeds, List<String> wrt,
            Path dir, double eps) {
        Graph backward = Gradients.of(forward, loss, wrt);
        List<String> wanted = new ArrayList<>(wrt.stream().map(Gradients::gradName).toList());
        Map<String, NpyArray> analytic = runner(backward, dir).run(feeds, wanted);
        GraphRunner f = runner(forward, dir);
        double maxDiff = 0;
        double maxGrad = 1e-6;
        for (String w : wrt) {
            float[] grad = analytic.get(Gradients.gradName(w)).toFloats();
            NpyArray x = feeds.get(w);
            float[] values = x.toFloats();
            for (int i = 0; i < values.length; i++) {
                double plus = lossAt(f, feeds, w, x, values, i, eps, loss);
                double minus = lossAt(f, feeds, w, x, values, i, -eps, loss);
                double numeric = (plus - minus) / (2 * eps);
                maxDiff = Math.max(maxDiff, Math.abs(numeric - grad[i]));
                maxGrad = Math.max(maxGrad, Math.abs(grad[i]));
            }
        }
        return maxDiff / maxGrad;
    }

    private static double lossAt(GraphRunner f, Map<String, NpyArray> feeds, String w, NpyArray x, float[] values, int i,
            double step, String loss) {
        float[] moved = values.clone();
        moved[i] = (float) (values[i] + step);
        Map<String, NpyArray> in = new LinkedHashMap<>(feeds);
        in.put(w, NpyArray.ofFloats(moved, x.shape()));
        return f.run(in, List.of(loss)).get(loss).toFloats()[0];
    }
}
