package org.clipwsss.runtime.models;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Test helpers: checksums computed independently of the code under test, manifests, folder copies. */
final class ModelFiles {
    static final Path CLIP_TINY = Path.of("onnx-models/clip-tiny");

    private ModelFiles() {
    }

    static String sha256(Path file) {
        try {
            return sha256(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The files under {@code dir}, as sorted relative paths with '/'. */
    static List<String> files(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        for (String f : files(from)) {
            Path target = to.resolve(f);
            Files.createDirectories(target.getParent());
            Files.copy(from.resolve(f), target);
        }
    }

    /** A manifest with one model {@code id} downloadable from {@code url}, listing every file of {@code dir}. */
    static Path writeManifest(Path file, String id, String url, Path dir) throws IOException {
        String files = files(dir).stream().map(f -> String.format(
                "{\"path\": \"%s\", \"size\": %d, \"sha256\": \"%s\"}", f, dir.resolve(f).toFile().length(),
                sha256(dir.resolve(f)))).collect(Collectors.joining(",\n      "));
        Files.writeString(file, "{\"format\": 1, \"models\": [{\"id\": \"" + id + "\", \"name\": \"test model\", "
                + "\"license\": \"MIT\", \"url\": \"" + url + "\",\n    \"files\": [\n      " + files + "]}]}\n");
        return file;
    }
}
