package org.clipwsss.runtime.cam;

import java.util.List;

/**
 * Class activation maps for one image: one map per class, row-major at the image's resolution, values in
 * [0,1]. {@code classes.get(k)} is the label of map k.
 */
public record Cams(int width, int height, List<String> classes, float[][] maps) {
    public Cams {
        classes = List.copyOf(classes);
        if (maps.length != classes.size()) {
            throw new IllegalArgumentException(maps.length + " maps for " + classes.size() + " classes");
        }
        for (float[] m : maps) {
            if (m.length != width * height) {
                throw new IllegalArgumentException("map of " + m.length + " values for " + width + "x" + height);
            }
        }
    }

    /** [K,H,W] as one flat array (for .npy). */
    public float[] flat() {
        float[] out = new float[maps.length * width * height];
        for (int k = 0; k < maps.length; k++) {
            System.arraycopy(maps[k], 0, out, k * width * height, width * height);
        }
        return out;
    }
}
