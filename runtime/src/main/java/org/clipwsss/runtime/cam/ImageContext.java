package org.clipwsss.runtime.cam;

import java.util.function.Function;
import org.clipwsss.runtime.image.Raster8;

/** One image being processed, with its dense features computed on first use and then reused. */
public final class ImageContext {
    private final Raster8 image;
    private final Function<Raster8, DenseFeatures> extractor;
    private DenseFeatures dense;

    public ImageContext(Raster8 image, Function<Raster8, DenseFeatures> extractor) {
        this.image = image;
        this.extractor = extractor;
    }

    public Raster8 image() {
        return image;
    }

    public DenseFeatures dense() {
        if (dense == null) {
            if (extractor == null) {
                throw new IllegalStateException("no dense feature extractor configured");
            }
            dense = extractor.apply(image);
        }
        return dense;
    }
}
