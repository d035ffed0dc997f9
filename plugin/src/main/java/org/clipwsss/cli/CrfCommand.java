package org.clipwsss.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.crf.ClipEsCrf;
import org.clipwsss.runtime.image.ImageFiles;
import org.clipwsss.runtime.image.Raster8;
import org.clipwsss.runtime.io.IoProblems;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * CLIP-ES's dense CRF on saved CAMs: {@code DIR/prob.npy} [K+1,H,W] float32 (channel 0 background) and
 * {@code DIR/label.npy} [H,W] uint8 (0 background, k the k-th CAM, 255 uncertain), as pydensecrf computes them.
 */
@Command(name = "crf", description = "CLIP-ES's dense CRF (as pydensecrf computes it) on saved CAMs: "
        + "DIR/prob.npy [K+1,H,W] float32 and DIR/label.npy [H,W] uint8 (0 background, k the k-th CAM, 255 uncertain).")
final class CrfCommand implements Callable<Integer> {
    private static final ClipEsCrf.Settings DEFAULTS = ClipEsCrf.Settings.clipEs();

    @Option(names = "--image", required = true, paramLabel = "FILE", description = "The image the CAMs belong to (8-bit).")
    Path image;

    @Option(names = "--cams", required = true, paramLabel = "CAMS.npy",
            description = "float32 CAMs [K,H,W] in [0,1] at the image's size ([H,W] for one class).")
    Path cams;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (created if missing).")
    Path out;

    @Option(names = "--bg-power", paramLabel = "P", description = "Background score (1 - max CAM)^P (default: ${DEFAULT-VALUE}).")
    float bgPower = DEFAULTS.bgPower();

    @Option(names = "--iterations", paramLabel = "N", description = "Mean-field iterations (default: ${DEFAULT-VALUE}).")
    int iterations = DEFAULTS.iterations();

    @Option(names = "--gaussian-sxy", paramLabel = "PX", description = "Smoothness kernel's spatial std (default: ${DEFAULT-VALUE}).")
    float gaussianSxy = DEFAULTS.gaussianSxy();

    @Option(names = "--gaussian-weight", paramLabel = "W", description = "Smoothness kernel's Potts weight (default: ${DEFAULT-VALUE}).")
    float gaussianWeight = DEFAULTS.gaussianWeight();

    @Option(names = "--bilateral-sxy", paramLabel = "PX", description = "Appearance kernel's spatial std (default: ${DEFAULT-VALUE}).")
    float bilateralSxy = DEFAULTS.bilateralSxy();

    @Option(names = "--bilateral-srgb", paramLabel = "LEVELS",
            description = "Appearance kernel's colour std, in byte levels (default: ${DEFAULT-VALUE}).")
    float bilateralSrgb = DEFAULTS.bilateralSrgb();

    @Option(names = "--bilateral-weight", paramLabel = "W", description = "Appearance kernel's Potts weight (default: ${DEFAULT-VALUE}).")
    float bilateralWeight = DEFAULTS.bilateralWeight();

    @Option(names = "--confidence", paramLabel = "C",
            description = "Pixels whose largest marginal is below C get label 255 (default: ${DEFAULT-VALUE}).")
    float confidence = DEFAULTS.confidence();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter terminal = spec.commandLine().getOut();
        ClipEsCrf.Settings settings = new ClipEsCrf.Settings(bgPower, iterations, gaussianSxy, gaussianWeight,
                bilateralSxy, bilateralSrgb, bilateralWeight, confidence);
        Raster8 img = ImageFiles.read(image);
        int w = img.width();
        int h = img.height();
        float[][] maps = readCams(cams, w, h);
        ClipEsCrf.Result r;
        try {
            r = ClipEsCrf.run(img, maps, settings);
        } catch (ClipWsssException e) { // name the file: the CAMs' values (NaN, infinite), else the image
            String problem = e.getMessage().replaceFirst("^CRF: ", "");
            throw ClipWsssException.file(problem.startsWith("CAM ") ? cams : image, problem, e);
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw ClipWsssException.file(out, IoProblems.describe("could not create the folder", e), e);
        }
        int m = r.prob().length;
        float[] prob = new float[m * w * h];
        for (int l = 0; l < m; l++) {
            System.arraycopy(r.prob()[l], 0, prob, l * w * h, w * h);
        }
        Npy.write(out.resolve("prob.npy"), NpyArray.ofFloats(prob, m, h, w));
        Npy.write(out.resolve("label.npy"), NpyArray.ofBytes(r.label(), h, w));
        int[] counts = new int[256];
        for (byte b : r.label()) {
            counts[b & 0xff]++;
        }
        terminal.printf("%s: %dx%d, %d CAMs; background %.1f %%, uncertain %.1f %%; wrote %s and %s%n", image, w, h,
                m - 1, 100.0 * counts[0] / (w * h), 100.0 * counts[ClipEsCrf.UNCERTAIN] / (w * h),
                out.resolve("prob.npy"), out.resolve("label.npy"));
        terminal.flush();
        return 0;
    }

    /** CAMs [K,H,W] (or [H,W]) float32 at the image's size, as K maps of H*W. */
    static float[][] readCams(Path file, int w, int h) {
        NpyArray a = Npy.read(file);
        long[] s = a.shape();
        if (a.dtype() != NpyArray.DType.FLOAT32) {
            throw ClipWsssException.file(file, "CAMs must be float32, got " + a + " (save cams.astype('float32'))");
        }
        if (s.length != 2 && s.length != 3) {
            throw ClipWsssException.file(file, "CAMs must have shape [K, H, W] (or [H, W] for one class), got " + a);
        }
        long ch = s[s.length - 2];
        long cw = s[s.length - 1];
        if (ch != h || cw != w) {
            throw ClipWsssException.file(file, "CAMs are " + cw + "x" + ch + " (W x H) but the image is " + w + "x" + h
                    + "; resize them to the image first");
        }
        int k = s.length == 2 ? 1 : (int) s[0];
        if (k == 0) {
            throw ClipWsssException.file(file, "no CAMs (shape " + a + "); at least one class is needed");
        }
        if (k >= ClipEsCrf.UNCERTAIN) {
            throw ClipWsssException.file(file, k + " CAMs but at most " + (ClipEsCrf.UNCERTAIN - 1) + " fit in a uint8 label");
        }
        float[] flat = a.floats();
        int n = w * h;
        float[][] out = new float[k][n];
        for (int c = 0; c < k; c++) {
            System.arraycopy(flat, c * n, out[c], 0, n);
        }
        return out;
    }
}
