package org.clipwsss.runtime.cam;

import ai.onnxruntime.OnnxJavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.image.PilResize;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.image.ResampleFilter;
import org.clipwsss.runtime.io.IoProblems;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.session.GraphRunner;
import org.clipwsss.runtime.session.SessionFactory;

/**
 * A user's CAM network or mask generator as ONNX (e.g. a ResNet-50 CAM net as in POLE/CLIMS, or a
 * SemPLeS-style mask generator): input {@code [1,3,H,W]}, output {@code [1,C,h,w]}. A JSON file beside the
 * model ({@code model.json} for {@code model.onnx}) describes it:
 * <pre>{"classes": ["aeroplane", ...], "input_size": [H, W], "mean": [..3], "std": [..3],
 *  "rescale": 0.00392156862745098, "activation": "sigmoid" | "relu-max-norm" | "none"}</pre>
 * {@code input_size} may be one integer (a square side), or left out to feed the image at its own size.
 */
public final class OnnxCams implements CamSource {
    private final Path model;
    private final GraphRunner runner;
    private final String input;
    private final String output;
    private final List<String> classes = new ArrayList<>();
    private final int[] inputSize;
    private final double[] mean;
    private final double[] std;
    private final double rescale;
    private final String activation;

    public OnnxCams(Path model, SessionFactory sessions) {
        this.model = model;
        Sidecar meta = Sidecar.read(sidecar(model));
        classes.addAll(meta.classes());
        inputSize = meta.inputSize();
        mean = meta.mean();
        std = meta.std();
        rescale = meta.rescale();
        activation = meta.activation();
        runner = new GraphRunner(sessions, model);
        if (runner.inputNames().size() != 1 || runner.outputNames().isEmpty()) {
            throw ClipWsssException.file(model, "a CAM model needs exactly one image input, has " + runner.inputNames());
        }
        input = runner.inputNames().iterator().next();
        output = runner.outputNames().iterator().next();
        runner.require(true, input, 4, OnnxJavaType.FLOAT).require(false, output, 4, OnnxJavaType.FLOAT);
    }

    static Path sidecar(Path model) {
        String name = model.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return model.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".json");
    }

    /** The largest {@code input_size} side accepted, as for preprocessor_config.json (a bad value must not make a gigapixel input). */
    static final int MAX_INPUT_SIDE = 8192;

    /** What the JSON file beside the model says, checked. {@code inputSize} is {@code [H, W]} or null. */
    record Sidecar(List<String> classes, int[] inputSize, double[] mean, double[] std, double rescale,
            String activation) {
        static Sidecar read(Path json) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(json);
            } catch (java.nio.file.NoSuchFileException e) {
                throw ClipWsssException.file(json, "missing (an ONNX CAM model needs a JSON file beside it naming its classes)");
            } catch (IOException e) {
                throw ClipWsssException.file(json, IoProblems.describe("could not read", e), e);
            }
            JsonNode root;
            try {
                root = new ObjectMapper().readTree(bytes);
            } catch (IOException e) {
                throw ClipWsssException.file(json, "not valid JSON (" + firstLine(e.getMessage()) + ")", e);
            }
            if (root == null || !root.isObject()) {
                throw ClipWsssException.file(json, "must hold a JSON object {\"classes\": [...], ...}");
            }
            JsonNode c = root.get("classes");
            if (c == null || !c.isArray() || c.isEmpty()) {
                throw ClipWsssException.file(json, "needs a non-empty \"classes\" array");
            }
            List<String> classes = new ArrayList<>();
            for (JsonNode n : c) {
                if (!n.isTextual() || n.asText().isBlank()) {
                    throw ClipWsssException.file(json, "\"classes\" entry " + (classes.size() + 1) + " is " + n
                            + ", not a class name");
                }
                classes.add(n.asText());
            }
            double[] std = triple(json, root, "std", new double[] {0.229, 0.224, 0.225});
            for (double v : std) {
                if (v == 0) {
                    throw ClipWsssException.file(json, "\"std\" must not contain 0");
                }
            }
            JsonNode r = root.get("rescale");
            if (r != null && !(r.isNumber() && Double.isFinite(r.asDouble()) && r.asDouble() > 0)) {
                throw ClipWsssException.file(json, "\"rescale\" must be a positive number, is " + r);
            }
            JsonNode a = root.get("activation");
            if (a != null && !a.isTextual()) {
                throw ClipWsssException.file(json, "\"activation\" must be a string, is " + a);
            }
            String activation = a == null ? "none" : a.asText();
            if (!List.of("sigmoid", "relu-max-norm", "none").contains(activation)) {
                throw ClipWsssException.file(json, "activation '" + activation + "' is not sigmoid, relu-max-norm or none");
            }
            return new Sidecar(List.copyOf(classes), inputSize(json, root.get("input_size")),
                    triple(json, root, "mean", new double[] {0.485, 0.456, 0.406}), std,
                    r == null ? 1 / 255.0 : r.asDouble(), activation);
        }

        /** {@code input_size}: absent or null (the image's own size), one int (a square) or {@code [H, W]}. */
        private static int[] inputSize(Path json, JsonNode size) {
            if (size == null || size.isNull()) {
                return null;
            }
            String expected = "\"input_size\" must be one integer (a square side) or [height, width], 1.."
                    + MAX_INPUT_SIDE + ", but it is " + abbreviate(size.toString());
            if (size.isIntegralNumber()) {
                int side = side(size, expected, json);
                return new int[] {side, side};
            }
            if (size.isArray() && size.size() == 2 && size.get(0).isIntegralNumber() && size.get(1).isIntegralNumber()) {
                return new int[] {side(size.get(0), expected, json), side(size.get(1), expected, json)};
            }
            throw ClipWsssException.file(json, expected);
        }

        private static int side(JsonNode n, String expected, Path json) {
            if (!n.canConvertToInt() || n.asInt() < 1 || n.asInt() > MAX_INPUT_SIDE) {
                throw ClipWsssException.file(json, expected);
            }
            return n.asInt();
        }

        private static double[] triple(Path json, JsonNode root, String key, double[] fallback) {
            JsonNode n = root.get(key);
            if (n == null) {
                return fallback;
            }
            if (!n.isArray() || n.size() != 3 || !n.get(0).isNumber() || !n.get(1).isNumber() || !n.get(2).isNumber()) {
                throw ClipWsssException.file(json, "\"" + key + "\" must be 3 numbers, is " + abbreviate(n.toString()));
            }
            return new double[] {n.get(0).asDouble(), n.get(1).asDouble(), n.get(2).asDouble()};
        }

        private static String abbreviate(String s) {
            return s.length() <= 60 ? s : s.substring(0, 57) + "...";
        }

        private static String firstLine(String s) {
            if (s == null) {
                return "unreadable";
            }
            int nl = s.indexOf('\n');
            return nl < 0 ? s : s.substring(0, nl);
        }
    }

    public List<String> classes() {
        return List.copyOf(classes);
    }

    @Override
    public Cams compute(ImageContext ctx, List<ClassPrompt> wanted) {
        int[] index = new int[wanted.size()];
        for (int k = 0; k < index.length; k++) {
            index[k] = indexOf(wanted.get(k).label());
            if (index[k] < 0) {
                throw ClipWsssException.file(model, "class '" + wanted.get(k).label() + "' is not one of the CAM model's "
                        + classes.size() + " classes " + classes);
            }
        }
        Raster8 image = ctx.image().toRgb();
        int w = inputSize == null ? image.width() : inputSize[1];
        int h = inputSize == null ? image.height() : inputSize[0];
        Raster8 resized = PilResize.resize(image, w, h, ResampleFilter.BILINEAR);
        NpyArray out = runner.run(Map.of(input, NpyArray.ofFloats(normalise(resized), 1, 3, h, w)), List.of(output))
                .get(output);
        long[] s = out.shape();
        if (s[0] != 1 || s[1] != classes.size()) {
            throw ClipWsssException.file(model, "output '" + output + "' is " + java.util.Arrays.toString(s) + " but "
                    + sidecar(model).getFileName() + " names " + classes.size() + " classes");
        }
        int oh = (int) s[2];
        int ow = (int) s[3];
        float[] all = out.floats();
        float[][] maps = new float[index.length][];
        for (int k = 0; k < index.length; k++) {
            float[] m = java.util.Arrays.copyOfRange(all, index[k] * oh * ow, (index[k] + 1) * oh * ow);
            activate(m);
            maps[k] = FloatMaps.clamp01(FloatMaps.resizeBilinear(m, ow, oh, image.width(), image.height()));
        }
        return new Cams(image.width(), image.height(), wanted.stream().map(ClassPrompt::label).toList(), maps);
    }

    private int indexOf(String label) {
        String key = label.toLowerCase(Locale.ROOT).replaceAll("[\\s_]+", "");
        for (int i = 0; i < classes.size(); i++) {
            if (classes.get(i).toLowerCase(Locale.ROOT).replaceAll("[\\s_]+", "").equals(key)) {
                return i;
            }
        }
        return -1;
    }

    private void activate(float[] m) {
        if (activation.equals("sigmoid")) {
            for (int i = 0; i < m.length; i++) {
                m[i] = (float) (1 / (1 + Math.exp(-m[i])));
            }
        } else if (activation.equals("relu-max-norm")) {
            float max = 0;
            for (float v : m) {
                max = Math.max(max, v);
            }
            for (int i = 0; i < m.length; i++) {
                m[i] = max > 0 ? Math.max(m[i], 0) / max : 0;
            }
        }
    }

    private float[] normalise(Raster8 rgb) {
        int plane = rgb.width() * rgb.height();
        byte[] d = rgb.data();
        float[] out = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                out[c * plane + i] = (float) (((d[3 * i + c] & 0xff) * rescale - mean[c]) / std[c]);
            }
        }
        return out;
    }

    @Override
    public boolean usesPromptNames() {
        return false;
    }

    @Override
    public String description() {
        return "onnx " + model.getFileName() + " (" + classes.size() + " classes, " + activation + ")";
    }
}
