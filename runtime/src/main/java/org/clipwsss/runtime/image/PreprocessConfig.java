package org.clipwsss.runtime.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.clipwsss.runtime.ClipWsssException;

/**
 * The image preprocessing settings of a CLIP model, read from a Hugging Face {@code preprocessor_config.json}
 * (CLIPImageProcessor). Missing fields take CLIPImageProcessor's defaults: resize the shortest edge to 224
 * with bicubic resampling, centre-crop 224x224, rescale by 1/255, normalise with OpenAI CLIP's mean and std,
 * convert to RGB.
 *
 * <p>{@code size} may be {@code {"shortest_edge": n}} (other keys such as {@code longest_edge} are ignored, as
 * CLIPImageProcessor does), {@code {"height": h, "width": w}} or a number n (= shortest edge);
 * {@code crop_size} may be {@code {"height": h, "width": w}} or a number n (= n x n).
 */
public final class PreprocessConfig {
    private static final double[] OPENAI_CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
    private static final double[] OPENAI_CLIP_STD = {0.26862954, 0.26130258, 0.27577711};
    private static final int DEFAULT_SIZE = 224;
    /**
     * The largest resize or crop side accepted. CLIP models use 224..1024; a float [1,3,8192,8192] input is
     * already 800 MB, so a larger value is a broken file (it would only end in an OutOfMemoryError).
     */
    public static final int MAX_SIDE = 8192;

    private final boolean doResize;
    private final int shortestEdge;
    private final int resizeHeight;
    private final int resizeWidth;
    private final ResampleFilter resample;
    private final boolean doCenterCrop;
    private final int cropHeight;
    private final int cropWidth;
    private final boolean doRescale;
    private final double rescaleFactor;
    private final boolean doNormalize;
    private final double[] imageMean;
    private final double[] imageStd;
    private final boolean doConvertRgb;

    private PreprocessConfig(JsonNode json) {
        doResize = bool(json, "do_resize", true);
        JsonNode size = json.get("size");
        if (size == null || size.isNull()) {
            shortestEdge = DEFAULT_SIZE;
            resizeHeight = resizeWidth = 0;
        } else if (size.isObject() && size.has("shortest_edge")) {
            shortestEdge = positiveInt(size.get("shortest_edge"), "size.shortest_edge");
            resizeHeight = resizeWidth = 0;
        } else if (size.isObject() && size.has("height") && size.has("width")) {
            shortestEdge = 0;
            resizeHeight = positiveInt(size.get("height"), "size.height");
            resizeWidth = positiveInt(size.get("width"), "size.width");
        } else if (size.isNumber()) {
            shortestEdge = positiveInt(size, "size");
            resizeHeight = resizeWidth = 0;
        } else {
            throw new IllegalArgumentException("size must be a number, {\"shortest_edge\": n} or "
                    + "{\"height\": h, \"width\": w}, got " + abbreviate(size.toString()));
        }
        JsonNode resampleNode = json.get("resample");
        if (resampleNode == null || resampleNode.isNull()) {
            resample = ResampleFilter.BICUBIC;
        } else if (resampleNode.canConvertToInt() && resampleNode.isIntegralNumber()) {
            resample = ResampleFilter.fromPilCode(resampleNode.intValue());
        } else {
            throw new IllegalArgumentException("resample must be an integer (2 = bilinear, 3 = bicubic), got "
                    + abbreviate(resampleNode.toString()));
        }
        doCenterCrop = bool(json, "do_center_crop", true);
        JsonNode crop = json.get("crop_size");
        if (crop == null || crop.isNull()) {
            cropHeight = cropWidth = DEFAULT_SIZE;
        } else if (crop.isNumber()) {
            cropHeight = cropWidth = positiveInt(crop, "crop_size");
        } else if (crop.isObject() && crop.has("height") && crop.has("width")) {
            cropHeight = positiveInt(crop.get("height"), "crop_size.height");
            cropWidth = positiveInt(crop.get("width"), "crop_size.width");
        } else {
            throw new IllegalArgumentException("crop_size must be a number or {\"height\": h, \"width\": w}, got "
                    + abbreviate(crop.toString()));
        }
        doRescale = bool(json, "do_rescale", true);
        rescaleFactor = number(json, "rescale_factor", 1 / 255.0);
        doNormalize = bool(json, "do_normalize", true);
        imageMean = perChannel(json, "image_mean", OPENAI_CLIP_MEAN);
        imageStd = perChannel(json, "image_std", OPENAI_CLIP_STD);
        for (double s : imageStd) {
            if (!(s != 0 && Double.isFinite(s))) {
                throw new IllegalArgumentException("image_std must be finite and non-zero, got "
                        + Arrays.toString(imageStd));
            }
        }
        doConvertRgb = bool(json, "do_convert_rgb", true);
    }

    /** CLIPImageProcessor's defaults (those of OpenAI's CLIP at 224 px). */
    public static PreprocessConfig defaults() {
        return new PreprocessConfig(new ObjectMapper().createObjectNode());
    }

    /** CLIPImageProcessor's defaults with the shortest edge and the crop set to {@code size}. */
    public static PreprocessConfig clipDefaults(int size) {
        return parse("{\"size\": {\"shortest_edge\": " + size + "}, \"crop_size\": " + size + "}");
    }

    /**
     * Reads a {@code preprocessor_config.json}.
     *
     * @throws ClipWsssException naming the file when it is missing, unreadable, not JSON or has a bad field
     */
    public static PreprocessConfig load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw ClipWsssException.file(file, Files.exists(file) ? "not a file" : "file not found");
        }
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw ClipWsssException.file(file, "not a valid preprocessor config (" + firstLine(e.getMessage()) + ")", e);
        }
        try {
            return fromJson(json);
        } catch (IllegalArgumentException e) {
            throw ClipWsssException.file(file, "not a valid preprocessor config (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Parses the JSON text of a {@code preprocessor_config.json}.
     *
     * @throws IllegalArgumentException when it is not a JSON object or a field has the wrong type or value
     */
    public static PreprocessConfig parse(String json) {
        try {
            return fromJson(new ObjectMapper().readTree(json));
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + firstLine(e.getMessage()), e);
        }
    }

    private static PreprocessConfig fromJson(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        return new PreprocessConfig(json);
    }

    public boolean doResize() {
        return doResize;
    }

    /** The length the shorter image side is resized to, or 0 when {@code size} gives a height and width. */
    public int shortestEdge() {
        return shortestEdge;
    }

    /** The exact resize height when {@code size} is {@code {height, width}}, else 0. */
    public int resizeHeight() {
        return resizeHeight;
    }

    /** The exact resize width when {@code size} is {@code {height, width}}, else 0. */
    public int resizeWidth() {
        return resizeWidth;
    }

    public ResampleFilter resample() {
        return resample;
    }

    public boolean doCenterCrop() {
        return doCenterCrop;
    }

    public int cropHeight() {
        return cropHeight;
    }

    public int cropWidth() {
        return cropWidth;
    }

    /**
     * The side of the square centre crop.
     *
     * @throws IllegalStateException when the crop is not square (use {@link #cropHeight()}, {@link #cropWidth()})
     */
    public int cropSize() {
        if (cropHeight != cropWidth) {
            throw new IllegalStateException("crop_size is not square: " + cropHeight + "x" + cropWidth);
        }
        return cropHeight;
    }

    public boolean doRescale() {
        return doRescale;
    }

    public double rescaleFactor() {
        return rescaleFactor;
    }

    public boolean doNormalize() {
        return doNormalize;
    }

    /** Per-channel (R, G, B) mean, a copy. */
    public double[] imageMean() {
        return imageMean.clone();
    }

    /** Per-channel (R, G, B) standard deviation, a copy. */
    public double[] imageStd() {
        return imageStd.clone();
    }

    /**
     * Whether the processor converts images to RGB. Recorded for completeness: CLIP's vision model takes 3
     * channels, so {@link ClipPreprocessor} always gives RGB.
     */
    public boolean doConvertRgb() {
        return doConvertRgb;
    }

    @Override
    public String toString() {
        String resize = shortestEdge > 0 ? "shortest_edge=" + shortestEdge : resizeHeight + "x" + resizeWidth;
        return "PreprocessConfig[resize=" + (doResize ? resize + " " + resample : "off")
                + ", crop=" + (doCenterCrop ? cropHeight + "x" + cropWidth : "off")
                + ", rescale=" + (doRescale ? rescaleFactor : "off")
                + ", normalize=" + (doNormalize ? Arrays.toString(imageMean) + "/" + Arrays.toString(imageStd) : "off")
                + "]";
    }

    private static boolean bool(JsonNode json, String name, boolean fallback) {
        JsonNode v = json.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException(name + " must be true or false, got " + abbreviate(v.toString()));
        }
        return v.booleanValue();
    }

    private static double number(JsonNode json, String name, double fallback) {
        JsonNode v = json.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw new IllegalArgumentException(name + " must be a number, got " + abbreviate(v.toString()));
        }
        return v.doubleValue();
    }

    /** A side length: an integer in 1..{@link #MAX_SIDE}. */
    private static int positiveInt(JsonNode v, String name) {
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() <= 0
                || v.intValue() > MAX_SIDE) {
            throw new IllegalArgumentException(name + " must be an integer from 1 to " + MAX_SIDE + ", got "
                    + abbreviate(String.valueOf(v)));
        }
        return v.intValue();
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    /** A number (used for all three channels) or a list of three numbers. */
    private static double[] perChannel(JsonNode json, String name, double[] fallback) {
        JsonNode v = json.get(name);
        if (v == null || v.isNull()) {
            return fallback.clone();
        }
        if (v.isNumber()) {
            return new double[] {v.doubleValue(), v.doubleValue(), v.doubleValue()};
        }
        if (!v.isArray() || v.size() != 3) {
            throw new IllegalArgumentException(name + " must be a number or a list of 3 numbers, got " + abbreviate(v.toString()));
        }
        double[] out = new double[3];
        for (int c = 0; c < 3; c++) {
            if (!v.get(c).isNumber()) {
                throw new IllegalArgumentException(name + " must be a number or a list of 3 numbers, got " + abbreviate(v.toString()));
            }
            out[c] = v.get(c).doubleValue();
        }
        return out;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
