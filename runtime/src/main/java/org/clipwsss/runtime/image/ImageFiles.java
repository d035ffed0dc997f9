package org.clipwsss.runtime.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.clipwsss.runtime.ClipWsssException;

/**
 * Reads image files (whatever {@code javax.imageio} reads: PNG, JPEG, BMP, GIF, TIFF, WBMP; the first image
 * of a multi-image file) into a {@link Raster8} holding the values PIL gives for the same file: gray PNGs stay
 * 1 channel, RGBA keeps its alpha (CLIP resizes RGBA premultiplied), palettes become RGB(A), 16-bit colour
 * samples keep their high byte and 16-bit gray is stretched from its minimum to its maximum (see
 * {@link BufferedImages}). JPEGs decode as libjpeg does (Java's decoder matches PIL's on the conformance
 * photos); CMYK JPEGs are not supported. EXIF orientation is ignored, as PIL's {@code Image.open} does.
 *
 * <p>One difference from OpenAI CLIP: it resizes palette ("P") images with nearest neighbour (PIL's
 * rule for palettes); here they are expanded to RGB first and resized like any RGB image.
 */
public final class ImageFiles {
    private ImageFiles() {
    }

    /**
     * Reads {@code file}.
     *
     * @throws ClipWsssException naming the file when it is missing, unreadable, corrupt or of a format
     *     javax.imageio does not read
     */
    public static Raster8 read(Path file) {
        return BufferedImages.toRaster(decode(file));
    }

    /**
     * Decodes {@code file} as javax.imageio does, keeping its colour model (e.g. the palette of an indexed PNG).
     *
     * @throws ClipWsssException as {@link #read}
     */
    public static BufferedImage decode(Path file) {
        if (!Files.isRegularFile(file)) {
            throw ClipWsssException.file(file, Files.exists(file) ? "not a file" : "file not found");
        }
        BufferedImage image;
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw ClipWsssException.file(file, "not a readable image (cannot open it)");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw ClipWsssException.file(file, "not a readable image (unknown or unsupported format)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                image = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ClipWsssException c) {
                throw c;
            }
            if (e.getCause() instanceof Error error) {
                // javax.imageio's PNG reader wraps any Throwable, an OutOfMemoryError for one, in an IIOException
                // with an empty message: the Error is what happened, and it is reported as such
                throw error;
            }
            throw ClipWsssException.file(file, "not a readable image (" + describe(e) + ")", e);
        }
        return image;
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        if (message.endsWith(": ") && e.getCause() != null) {
            message += e.getCause();
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
