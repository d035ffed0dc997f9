package org.clipwsss.runtime.clip;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Function;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.LayerNorms;
import org.clipwsss.runtime.graph.OnnxWriter;
import org.clipwsss.runtime.io.AtomicFiles;
import org.clipwsss.runtime.io.SafetensorsFile;
import org.clipwsss.runtime.model.ClipGraphs;

/**
 * Graphs built in Java from a folder's model.safetensors + config.json, written once as real .onnx files
 * into a cache folder keyed by the checkpoint's content (a SHA-256 of the whole model.safetensors, header
 * and data, plus config.json, the folder's path and the builder version), and reused after that. Weights
 * replaced by others of the same size and modification time ({@code cp -p}) therefore get graphs of their
 * own. The content hash is remembered for the JVM per (path, size, modification and change time, file id).
 *
 * <p>Each cached .onnx has a {@code .crc32c} file beside it (its size and CRC-32C) written after it; a cached
 * graph that does not match is reported with the folder to delete to clear the cache.
 */
final class BuiltGraphs {
    /**
     * Bump when ClipGraphs changes what it builds, so stale cached graphs are not reused. 2: the head average as a
     * product, cached graphs with ONNX Runtime's SkipLayerNormalization (less precise, replaced); 3: cached graphs with
     * two-pass layer norms ({@link LayerNorms}).
     */
    static final String BUILDER_VERSION = "3";
    private static final System.Logger LOG = System.getLogger(BuiltGraphs.class.getName());
    private static final String CHECK_SUFFIX = ".crc32c";
    /** Content hashes of checkpoints already read in this JVM. */
    private static final Map<FileIdentity, byte[]> CONTENT_HASHES = new java.util.concurrent.ConcurrentHashMap<>();

    private final ModelFolder folder;
    private final Path dir;
    private final BuiltVariant variant;
    private final Map<String, Path> files = new java.util.HashMap<>();

    BuiltGraphs(ModelFolder folder, Path cacheRoot) {
        this(folder, cacheRoot, BuiltVariant.FLOAT);
    }

    /**
     * The graphs in {@code variant}'s form: the float ones, or with their weight matrix products dynamically quantized to
     * int8 ({@link BuiltVariant#INT8}), or in half precision, cached beside the float ones as {@code <kind>_quantized.onnx} or
     * {@code <kind>_fp16.onnx}.
     */
    BuiltGraphs(ModelFolder folder, Path cacheRoot, BuiltVariant variant) {
        this.folder = folder;
        this.dir = cacheRoot.resolve("graphs").resolve(key(folder));
        this.variant = variant;
    }

    /** The default cache root: $CLIP_WSSS_CACHE, else ~/.cache/clip-wsss. */
    static Path defaultCacheRoot() {
        String env = System.getenv("CLIP_WSSS_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "clip-wsss");
    }

    synchronized Path file(ClipGraphs.Kind kind) {
        return file(kind, folder.config().vision().imageSize());
    }

    /** The graph for {@code kind} at a vision input size (other than the config's only for vision graphs). */
    synchronized Path file(ClipGraphs.Kind kind, int imageSize) {
        String name = imageSize == folder.config().vision().imageSize() ? kind.fileName()
                : kind.fileName().replace(".onnx", "_" + imageSize + ".onnx");
        name = name.replace(".onnx", variant.suffix() + ".onnx");
        return cached(name, kind.name(), weights -> ClipGraphs.build(kind, folder.config(), weights, imageSize), variant);
    }

    /**
     * A graph of another builder over the same weights (the Grad-CAM sources' trunks and per-shape tails), cached as
     * {@code name.onnx} and checked like the kinds; in this cache's variant like them when {@code quantizable} says
     * the graph may change form (gradient graphs stay float). The name must say everything the builder bakes into the
     * graph besides the weights (shapes, constants such as a logit scale).
     */
    synchronized Path file(String name, Function<SafetensorsWeights, Graph> builder, boolean quantizable) {
        BuiltVariant v = quantizable ? variant : BuiltVariant.FLOAT;
        return cached(name + v.suffix() + ".onnx", name, builder, v);
    }

    private Path cached(String name, String graphName, Function<SafetensorsWeights, Graph> builder, BuiltVariant form) {
        Path f = files.get(name);
        if (f == null) {
            f = dir.resolve(name);
            Path check = f.resolveSibling(name + CHECK_SUFFIX);
            if (!Files.isRegularFile(f) || !Files.exists(check)) {
                // no check file: the build was interrupted between the two files (or is racing); build again
                write(graphName, builder, form, f, true);
                writeCheck(f);
            } else {
                verify(f, check);
            }
            files.put(name, f);
        }
        return f;
    }

    private static void writeCheck(Path graph) {
        try {
            AtomicFiles.writeString(graph.resolveSibling(graph.getFileName() + CHECK_SUFFIX), checksum(graph) + "\n");
        } catch (IOException e) {
            throw ClipWsssException.file(graph, "cannot read the built graph back (" + e.getMessage() + ")", e);
        }
    }

    /** The folder holding this model's cached graphs; deleting it clears them (they are rebuilt when needed). */
    Path dir() {
        return dir;
    }

    /** Checks a cached graph against its check file; a mismatch is an error that says which folder to delete. */
    private void verify(Path graph, Path check) {
        String expected;
        String actual;
        try {
            expected = Files.readString(check, StandardCharsets.UTF_8).trim();
            actual = checksum(graph);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw damaged(graph, "it cannot be read: " + e.getMessage(), e);
        }
        if (!expected.equals(actual)) {
            throw damaged(graph, "its size and CRC-32C are " + actual + " but were " + abbreviate(expected)
                    + " when it was built", null);
        }
    }

    private ClipWsssException damaged(Path graph, String problem, Throwable cause) {
        return ClipWsssException.file(graph, "the cached graph is damaged (" + problem + "); delete the folder "
                + dir.toAbsolutePath() + " to clear this model's graph cache (it is rebuilt on the next run)", cause);
    }

    /** "SIZE CRC32C" of a file. */
    private static String checksum(Path file) throws IOException {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        long size = 0;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 20];
            int n;
            while ((n = in.read(buffer)) > 0) {
                crc.update(buffer, 0, n);
                size += n;
            }
        }
        return size + " " + String.format("%08x", crc.getValue());
    }

    private static String abbreviate(String s) {
        String line = s.replaceAll("\\s+", " ");
        return line.length() <= 40 ? line : line.substring(0, 37) + "...";
    }

    /** Builds {@code kind} from the folder's weights (quantized if this cache is) and writes it to {@code target}. */
    void write(ClipGraphs.Kind kind, Path target) {
        int size = folder.config().vision().imageSize();
        write(kind.name(), weights -> ClipGraphs.build(kind, folder.config(), weights, size), variant, target, false);
    }

    /**
     * Builds a graph from the folder's weights (in the form {@code form}) and writes it to {@code target}; with
     * {@code forSessions} (the cache, read only by this project's ONNX Runtime sessions) float and int8 graphs get
     * their layer norms written out in two passes, faster there than ONNX Runtime's kernel ({@link LayerNorms});
     * exported graphs keep the LayerNormalization operator.
     */
    private void write(String graphName, Function<SafetensorsWeights, Graph> builder, BuiltVariant form, Path target,
            boolean forSessions) {
        long t0 = System.nanoTime();
        try (SafetensorsFile st = SafetensorsFile.open(folder.safetensors())) {
            Graph g = builder.apply(new SafetensorsWeights(st));
            Map<String, String> metadata = new java.util.LinkedHashMap<>(Map.of("clipwsss.source", folder.dir().toString(),
                    "clipwsss.graph", graphName, "clipwsss.builder", BUILDER_VERSION));
            g = form.apply(g);
            if (forSessions && form != BuiltVariant.FP16) {
                g = LayerNorms.twoPass(g);
            }
            if (form.description() != null) {
                metadata.put("clipwsss.variant", form.description());
            }
            OnnxWriter.write(g, target, metadata);
        } catch (IOException e) {
            throw ClipWsssException.file(target, "cannot write the built graph (" + e.getMessage() + ")", e);
        }
        LOG.log(System.Logger.Level.INFO, String.format("built %s from %s in %.1f s", target,
                folder.safetensors(), (System.nanoTime() - t0) / 1e9));
    }

    /** SHA-256 of the checkpoint's content, config.json, the folder's path and the builder version (24 hex digits). */
    private static String key(ModelFolder folder) {
        Path st = folder.safetensors();
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(folder.dir().toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(contentHash(st));
            md.update(Files.readAllBytes(folder.dir().resolve("config.json")));
            md.update(BUILDER_VERSION.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(), 0, 12);
        } catch (IOException e) {
            throw ClipWsssException.file(folder.dir(), "cannot read the model files (" + e.getMessage() + ")", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What identifies one version of a file without reading it: a file replaced in place with the same size and
     * modification time ({@code cp -p}) still gets a new change time (where the file system has one) and the
     * hash is computed again.
     */
    private record FileIdentity(Path path, long size, FileTime modified, Object changed, Object fileKey) {
        static FileIdentity of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            Object changed;
            try {
                changed = Files.getAttribute(file, "unix:ctime");
            } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
                changed = null; // not a POSIX file system: size, modification time and file id only
            }
            return new FileIdentity(file.toAbsolutePath().normalize(), a.size(), a.lastModifiedTime(), changed,
                    a.fileKey());
        }
    }

    /** SHA-256 of the whole file (the safetensors header and all the data), remembered for this JVM. */
    static byte[] contentHash(Path file) throws IOException {
        FileIdentity id = FileIdentity.of(file);
        byte[] known = CONTENT_HASHES.get(id);
        if (known != null) {
            return known.clone();
        }
        long t0 = System.nanoTime();
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 20];
            int n;
            while ((n = in.read(buffer)) > 0) {
                md.update(buffer, 0, n);
            }
        }
        byte[] hash = md.digest();
        if (!FileIdentity.of(file).equals(id)) {
            // changed while it was read: do not remember a hash of a mix of two versions
            return hash;
        }
        if (CONTENT_HASHES.size() > 64) {
            CONTENT_HASHES.clear();
        }
        CONTENT_HASHES.put(id, hash);
        LOG.log(System.Logger.Level.DEBUG, String.format("hashed %s in %.1f s", file, (System.nanoTime() - t0) / 1e9));
        return hash.clone();
    }
}
