package org.clipwsss.runtime.image;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.ARGBType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.view.Views;

/**
 * ImgLib2 images to {@link Raster8}. Accepted:
 * <ul>
 *   <li>2D {@link ARGBType}: RGB (alpha ignored, as ImageJ does);</li>
 *   <li>2D {@link RealType}: grayscale;</li>
 *   <li>3D {@link RealType} with 3 channels in the last dimension (X, Y, C): RGB.</li>
 * </ul>
 * {@link UnsignedByteType} values are taken as they are; any other real type is scaled linearly so that the
 * image's minimum becomes 0 and its maximum 255 (one range for all channels, so colours keep their balance;
 * a constant image becomes 0; NaN becomes 0).
 */
public final class Imglib2Images {
    private Imglib2Images() {
    }

    /** @throws IllegalArgumentException for other pixel types or dimensionalities */
    public static Raster8 toRaster(RandomAccessibleInterval<?> image) {
        Object type = image.getType();
        int n = image.numDimensions();
        if (n < 2 || image.dimension(0) > Integer.MAX_VALUE || image.dimension(1) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("expected a 2D image, got " + n + " dimensions");
        }
        int w = (int) image.dimension(0);
        int h = (int) image.dimension(1);
        if (type instanceof ARGBType && n == 2) {
            return fromArgb(image, w, h);
        }
        if (type instanceof RealType<?> && (n == 2 || n == 3 && image.dimension(2) == 3)) {
            return fromReal(image, w, h, n == 2 ? 1 : 3, type instanceof UnsignedByteType);
        }
        throw new IllegalArgumentException("unsupported image: " + type.getClass().getSimpleName() + " with "
                + n + " dimensions (expected 2D ARGB, 2D gray, or 3D with 3 channels in the last dimension)");
    }

    private static Raster8 fromArgb(RandomAccessibleInterval<?> image, int w, int h) {
        Raster8 out = Raster8.blank(w, h, 3);
        byte[] rgb = out.data();
        int i = 0;
        for (Object pixel : Views.flatIterable(image)) {
            int argb = ((ARGBType) pixel).get();
            rgb[i++] = (byte) (argb >> 16);
            rgb[i++] = (byte) (argb >> 8);
            rgb[i++] = (byte) argb;
        }
        return out;
    }

    /** Flat iteration runs x fastest, then y, then channel: planar input, interleaved output. */
    private static Raster8 fromReal(RandomAccessibleInterval<?> image, int w, int h, int channels, boolean asIs) {
        double min = 0;
        double scale = 1;
        if (!asIs) {
            min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (Object pixel : Views.flatIterable(image)) {
                double v = ((RealType<?>) pixel).getRealDouble();
                if (v < min) {
                    min = v;
                }
                if (v > max) {
                    max = v;
                }
            }
            scale = max > min ? 255.0 / (max - min) : 0;
        }
        Raster8 out = Raster8.blank(w, h, channels);
        byte[] data = out.data();
        int plane = w * h;
        int i = 0;
        for (Object pixel : Views.flatIterable(image)) {
            double v = (((RealType<?>) pixel).getRealDouble() - min) * scale;
            int c = i / plane;
            data[(i % plane) * channels + c] = (byte) (v >= 0 ? Math.min(255, (int) (v + 0.5)) : 0);
            i++;
        }
        return out;
    }
}
