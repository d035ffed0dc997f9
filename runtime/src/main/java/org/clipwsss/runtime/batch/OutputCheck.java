package org.clipwsss.runtime.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether an image's outputs are complete, judged by their content, not their existence: the CAM array's header
 * and its size agree, its JSON parses and names the image and its labels as this run has them, each PNG has its
 * header and its end. And the cleaning of this tool's stale temporary files ({@code .NAME.HEX.tmp}) that a killed
 * run leaves behind.
 */
final class OutputCheck {
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([0-9,\\s]*)\\)");
    private static final Pattern TEMPORARY = Pattern.compile("^\\..+\\.[0-9a-f]{1,16}\\.tmp$");
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private OutputCheck() {
    }

    /** The four outputs of one image, complete and made for {@code labels} of {@code imageFile}. */
    static boolean complete(Path npy, Path json, Path mask, Path overlay, String imageFile, List<String> labels, ObjectMapper mapper) {
        return npyComplete(npy) && jsonFor(json, imageFile, labels, mapper) && pngComplete(mask) && pngComplete(overlay);
    }

    static boolean npyComplete(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(10);
            if (head.length < 10 || head[0] != (byte) 0x93 || head[1] != 'N') {
                return false;
            }
            int major = head[6];
            int headerLength;
            int prefix;
            if (major == 1) {
                headerLength = ByteBuffer.wrap(head, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
                prefix = 10;
            } else {
                byte[] more = in.readNBytes(2);
                if (more.length < 2) {
                    return false;
                }
                headerLength = ByteBuffer.wrap(new byte[] {head[8], head[9], more[0], more[1]}).order(ByteOrder.LITTLE_ENDIAN).getInt();
                prefix = 12;
            }
            if (headerLength < 0 || headerLength > 1 << 16) {
                return false;
            }
            String header = new String(in.readNBytes(headerLength), StandardCharsets.ISO_8859_1);
            Matcher m = SHAPE.matcher(header);
            int item = header.contains("'<f4'") ? 4 : header.contains("'<f2'") ? 2 : 0;
            if (!m.find() || item == 0) {
                return false;
            }
            long elements = 1;
            for (String d : m.group(1).split(",")) {
                if (!d.isBlank()) {
                    elements *= Long.parseLong(d.trim());
                }
            }
            return Files.size(file) == prefix + headerLength + (long) item * elements;
        } catch (IOException | RuntimeException e) {
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
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                if (Files.isRegularFile(p) && TEMPORARY.matcher(p.getFileName().toString()).matches()) {
                    Files.delete(p);
                    n++;
                }
            }
        }
        return n;
    }
}
