package org.clipwsss.runtime.cam;

/**
 * One patch grid over a whole image of any aspect: the image is resized (without crop or padding, so each axis
 * is stretched by less than a patch) to whole patches, gw x gh, at its own resolution, or brought up so that its
 * short side reaches the model's input size when it is smaller. Maps on the grid go back to the image by a
 * bilinear resize (half-pixel centres), since the grid covers exactly the image.
 */
public record ImageGrid(int imageWidth, int imageHeight, int patch, int width, int height) {
    /** @param inputSize the model's input size (the short side a small image is brought up to) */
    public static ImageGrid plan(int imageWidth, int imageHeight, int patch, int inputSize) {
        if (imageWidth < 1 || imageHeight < 1) {
            throw new IllegalArgumentException("empty image " + imageWidth + "x" + imageHeight);
        }
        double scale = Math.max(1.0, (double) inputSize / Math.min(imageWidth, imageHeight));
        int gw = (int) Math.ceil(imageWidth * scale / patch - 1e-9);
        int gh = (int) Math.ceil(imageHeight * scale / patch - 1e-9);
        return new ImageGrid(imageWidth, imageHeight, patch, Math.max(1, gw), Math.max(1, gh));
    }

    public int patches() {
        return width * height;
    }

    public int pixelWidth() {
        return width * patch;
    }

    public int pixelHeight() {
        return height * patch;
    }

    /** A map on the grid [height*width] -> the image's resolution. */
    public float[] toImage(float[] map) {
        return FloatMaps.resizeBilinear(map, width, height, imageWidth, imageHeight);
    }
}
