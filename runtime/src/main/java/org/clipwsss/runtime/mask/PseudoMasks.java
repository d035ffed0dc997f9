package org.clipwsss.runtime.mask;

/** Class activation maps to a label image: per pixel, the argmax over the background score and the K maps. */
public final class PseudoMasks {
    private PseudoMasks() {
    }

    /**
     * The pseudo mask of {@code cams}.
     *
     * <p>At each pixel the candidates are, in this order, the background ({@code background.score(max cam)}) and
     * {@code cams[0..K-1]}; the highest wins and ties go to the earlier candidate, so background wins a tie. The
     * pixel gets 0 for the background or {@code classIndex[k]} for map k; if {@code ignoreMargin > 0} and the winner
     * beats the runner-up by less than the margin it gets {@link LabelImage#IGNORE} (255) instead. With no maps
     * every pixel is background.
     *
     * @param cams         K maps of {@code width * height} scores, row-major, normally in [0, 1]
     * @param classIndex   the label each map writes, 1..254 (0 is background, 255 ignore)
     * @param ignoreMargin 0 for none
     * @throws IllegalArgumentException for maps of the wrong size, K labels missing, or labels out of range
     */
    public static LabelImage of(float[][] cams, int width, int height, int[] classIndex, BackgroundScore background,
            float ignoreMargin) {
        LabelImage out = LabelImage.blank(width, height);
        int n = width * height;
        if (classIndex.length != cams.length) {
            throw new IllegalArgumentException(cams.length + " maps but " + classIndex.length + " class indices");
        }
        for (int k = 0; k < cams.length; k++) {
            if (cams[k].length != n) {
                throw new IllegalArgumentException("map " + k + " has " + cams[k].length + " values, not " + width
                        + "x" + height);
            }
            if (classIndex[k] < 1 || classIndex[k] >= LabelImage.IGNORE) {
                throw new IllegalArgumentException("class index " + classIndex[k] + " is not in 1..254");
            }
        }
        byte[] labels = out.data();
        for (int i = 0; i < n; i++) {
            float max = Float.NEGATIVE_INFINITY;
            float second = Float.NEGATIVE_INFINITY;
            int arg = -1;
            for (int k = 0; k < cams.length; k++) {
                float v = cams[k][i];
                if (v > max) {
                    second = max;
                    max = v;
                    arg = k;
                } else if (v > second) {
                    second = v;
                }
            }
            float bg = background.score(arg < 0 ? 0f : max);
            boolean isBackground = bg >= max;
            float margin = isBackground ? bg - max : max - Math.max(second, bg);
            if (ignoreMargin > 0 && margin < ignoreMargin) {
                labels[i] = (byte) LabelImage.IGNORE;
            } else {
                labels[i] = (byte) (isBackground ? 0 : classIndex[arg]);
            }
        }
        return out;
    }
}
