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
 * photos); CMYK and YCCK JPEGs are refused (their colours would be wrong), as is any file the decoder warns
 * about (a truncated JPEG would otherwise come out grey-filled) and any image larger than a pixel budget (from
 * its header, before decoding). Float (32-bit) gray images are stretched from their minimum to their maximum like
 * 16-bit ones; NaN or infinite samples are refused. EXIF orientation is ignored, as PIL's {@code Image.open} does.
 *
 * <p>One difference from OpenAI CLIP: it resizes palette ("P") images with nearest neighbour (PIL's
 * rule for palettes); here they are expanded to RGB first and resized like any RGB image.
 */
public final class ImageFiles {
    /**
     * The most pixels an image may have unless the caller says otherwise: half the heap at about 24 bytes a pixel
     * (the decoded image, its 8-bit copy, the float CAMs of three labels, the mask and the overlay), at least 4
     * megapixels: 22 MP with a 1 GB heap, 89 MP with 4 GB.
     */
    public static final long DEFAULT_MAX_PIXELS = Math.max(4_000_000L, Runtime.getRuntime().maxMemory() / 48);

    private ImageFiles() {
    }

    /**
     * Reads {@code file} after checking, from its header alone, that it has at most {@code maxPixels} pixels (so a
     * small file declaring a huge image is refused before any memory is taken).
     */
    public static Raster8 read(Path file, long maxPixels) {
        BufferedImage image = decode(file, maxPixels);
        try {
            return BufferedImages.toRaster(image);
        } catch (ClipWsssException e) {
            throw ClipWsssException.file(file, e.getMessage(), e);
        }
    }

    /**
     * Reads {@code file}.
     *
     * @throws ClipWsssException naming the file when it is missing, unreadable, corrupt or of a format
     *     javax.imageio does not read
     */
    public static Raster8 read(Path file) {
        return read(file, DEFAULT_MAX_PIXELS);
    }

    /**
     * Decodes {@code file} as javax.imageio does, keeping its colour model (e.g. the palette of an indexed PNG).
     *
     * @throws ClipWsssException as {@link #read}
     */
    public static BufferedImage decode(Path file) {
        return decode(file, DEFAULT_MAX_PIXELS);
    }

    /**
     * As {@link #decode(Path)}, refusing an image of more than {@code maxPixels} pixels from its header, a JPEG with
     * four colour components (CMYK or YCCK: Java's decoder gets their colours wrong), and any image the decoder
     * warns about (a truncated file is otherwise filled with grey and looks decoded).
     */
    public static BufferedImage decode(Path file, long maxPixels) {
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
                reader.setInput(in, true, false);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w * h > maxPixels) {
                    throw ClipWsssException.file(file, "image of " + w + "x" + h + " pixels (" + (w * h / 1_000_000) + " MP) is over the limit of "
                            + maxPixels / 1_000_000 + " MP (set --max-pixels, or give Java more heap)");
                }
                if (fourColourJpeg(reader)) {
                    throw ClipWsssException.file(file, "CMYK or YCCK JPEG (4 colour components) is not supported: its colours would be"
                            + " wrong; convert it to RGB first (e.g. ImageJ's Image > Type > RGB Color)");
                }
                java.util.List<String> warnings = new java.util.ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                image = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw ClipWsssException.file(file, "truncated or corrupt image (the decoder warned: " + String.join("; ", warnings) + ")");
                }
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

    /** A JPEG whose frame has four components (CMYK, or YCCK with Adobe's transform). */
    private static boolean fourColourJpeg(ImageReader reader) throws IOException {
        if (!reader.getFormatName().toLowerCase(java.util.Locale.ROOT).contains("jp")) {
            return false;
        }
        javax.imageio.metadata.IIOMetadata meta;
        try {
            meta = reader.getImageMetadata(0);
        } catch (javax.imageio.IIOException e) {
            // Java's JPEG reader cannot even describe some CMYK files: the read below reports it
            return false;
        }
        if (meta == null || !java.util.Arrays.asList(meta.getMetadataFormatNames()).contains("javax_imageio_jpeg_image_1.0")) {
            return false;
        }
        org.w3c.dom.NodeList sof = ((org.w3c.dom.Element) meta.getAsTree("javax_imageio_jpeg_image_1.0")).getElementsByTagName("sof");
        return sof.getLength() > 0 && sof.item(0).getChildNodes().getLength() == 4;
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
