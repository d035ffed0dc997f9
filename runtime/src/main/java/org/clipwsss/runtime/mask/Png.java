package org.clipwsss.runtime.mask;

import java.awt.image.RenderedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.clipwsss.runtime.io.AtomicFiles;

/** Atomic PNG writing for the mask package. */
final class Png {
    private Png() {
    }

    /** Writes {@code image} as a PNG via a temporary file (see {@link AtomicFiles}). */
    static void write(Path file, RenderedImage image) {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer for this image type");
            }
        });
    }
}
