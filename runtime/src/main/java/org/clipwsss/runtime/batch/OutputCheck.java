package org.clipwsss.runtime.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.clipwsss.runtime.io.Npy;
import org.clipwsss.runtime.io.NpyArray;

/**
 * Whether an image's outputs are complete, judged by their content, not their existence: the CAM array's header
 * and its size agree, its JSON parses and names the image and its labels as this run has them, each PNG has its
 * header and its end. And the cleaning of this tool's stale temporary files ({@code .NAME.HEX.tmp}) that a killed
 * run leaves behind.
 */
final class OutputCheck {
    private static final Pattern TEMPORARY = Pattern.compile("^\\..+\\.[0-9a-f]{1,16}\\.tmp$");
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private OutputCheck() {
    }

    /** The four outputs of one image, complete and made for {@code labels} of {@code imageFile}. */
    static boolean complete(Path npy, Path json, Path mask, Path overlay, String imageFile, List<String> labels, ObjectMapper mapper) {
        return npyComplete(npy) && jsonFor(json, imageFile, labels, mapper) && pngComplete(mask) && pngComplete(overlay);
    }

    /** A float32 or float16 [K,H,W] array whose file has exactly the bytes its header needs. */
    static boolean npyComplete(Path file) {
        try {
            Npy.Info info = Npy.info(file);
            return info.shape().length == 3
                    && (info.dtype() == NpyArray.DType.FLOAT32 || info.dtype() == NpyArray.DType.FLOAT16);
        } catch (RuntimeException e) {
            return false;
        }
    }

    static boolean jsonFor(Path file, String imageFile, List<String> labels, ObjectMapper mapper) {
        try {
            JsonNode n = mapper.readTree(file.toFile());
            if (n == null || !imageFile.equals(n.path("image").asText(null)) || n.path("classes").size() != labels.size()) {
                return false;
            }
            for (int i = 0; i < labels.size(); i++) {
                if (!labels.get(i).equals(n.path("classes").get(i).asText())) {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A PNG signature at the start and the IEND chunk at the end (a cut file has no end). */
    static boolean pngComplete(Path file) {
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            long size = ch.size();
            if (size < PNG.length + 12) {
                return false;
            }
            ByteBuffer start = ByteBuffer.allocate(PNG.length);
            ch.read(start);
            if (!java.util.Arrays.equals(start.array(), PNG)) {
                return false;
            }
            ByteBuffer end = ByteBuffer.allocate(12);
            ch.position(size - 12);
            ch.read(end);
            byte[] e = end.array();
            return e[4] == 'I' && e[5] == 'E' && e[6] == 'N' && e[7] == 'D';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Deletes this tool's temporary files ({@code .NAME.HEX.tmp}) in {@code dir} left by a killed run; returns how many. */
    static int cleanTemporaries(Path dir) throws IOException {
        return cleanTemporaries(dir, target -> true);
    }

    /** As {@link #cleanTemporaries(Path)}, only the temporaries whose target file name {@code target} accepts. */
    static int cleanTemporaries(Path dir, java.util.function.Predicate<String> target) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p) && TEMPORARY.matcher(name).matches()
                        && target.test(name.substring(1, name.lastIndexOf('.', name.length() - 5)))) {
                    Files.delete(p);
                    n++;
                }
            }
        }
        return n;
    }
}
