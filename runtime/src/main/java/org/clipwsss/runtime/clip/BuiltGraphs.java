package org.clipwsss.runtime.clip;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.graph.Graph;
import org.clipwsss.runtime.graph.OnnxWriter;
import org.clipwsss.runtime.io.SafetensorsFile;
import org.clipwsss.runtime.model.ClipGraphs;

/**
 * Graphs built in Java from a folder's model.safetensors + config.json, written once as real .onnx files
 * into a cache folder keyed by the checkpoint (path, size, modification time, config) and the builder
 * version, and reused after that.
 */
final class BuiltGraphs {
    /** Bump when ClipGraphs changes what it builds, so stale cached graphs are not reused. */
    static final String BUILDER_VERSION = "1";
    private static final System.Logger LOG = System.getLogger(BuiltGraphs.class.getName());

    private final ModelFolder folder;
    private final Path dir;
    private final Map<String, Path> files = new java.util.HashMap<>();

    BuiltGraphs(ModelFolder folder, Path cacheRoot) {
        this.folder = folder;
        this.dir = cacheRoot.resolve("graphs").resolve(key(folder));
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
        Path f = files.get(name);
        if (f == null) {
            f = dir.resolve(name);
            if (!Files.isRegularFile(f)) {
                write(kind, imageSize, f);
            }
            files.put(name, f);
        }
        return f;
    }

    /** Builds {@code kind} from the folder's weights and writes it to {@code target}. */
    void write(ClipGraphs.Kind kind, Path target) {
        write(kind, folder.config().vision().imageSize(), target);
    }

    private void write(ClipGraphs.Kind kind, int imageSize, Path target) {
        long t0 = System.nanoTime();
        try (SafetensorsFile st = SafetensorsFile.open(folder.safetensors())) {
            Graph g = ClipGraphs.build(kind, folder.config(), new SafetensorsWeights(st), imageSize);
            OnnxWriter.write(g, target, Map.of("clipwsss.source", folder.dir().toString(),
                    "clipwsss.graph", kind.name(), "clipwsss.builder", BUILDER_VERSION));
        } catch (IOException e) {
            throw ClipWsssException.file(target, "cannot write the built graph (" + e.getMessage() + ")", e);
        }
        LOG.log(System.Logger.Level.INFO, String.format("built %s from %s in %.1f s", target,
                folder.safetensors(), (System.nanoTime() - t0) / 1e9));
    }

    private static String key(ModelFolder folder) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            Path st = folder.safetensors();
            md.update(st.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            md.update(Long.toString(Files.size(st)).getBytes(StandardCharsets.UTF_8));
            md.update(Files.getLastModifiedTime(st).toString().getBytes(StandardCharsets.UTF_8));
            md.update(Files.readAllBytes(folder.dir().resolve("config.json")));
            md.update(BUILDER_VERSION.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(), 0, 12);
        } catch (IOException e) {
            throw ClipWsssException.file(folder.dir(), "cannot read the model files (" + e.getMessage() + ")", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
