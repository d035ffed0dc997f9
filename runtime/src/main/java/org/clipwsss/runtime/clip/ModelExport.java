package org.clipwsss.runtime.clip;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.graph.OnnxWriter;
import org.clipwsss.runtime.io.AtomicFiles;
import org.clipwsss.runtime.model.ClipGraphs;
import org.clipwsss.runtime.text.ClipTokenizer;

/**
 * Writes the Java-built graphs of a model as .onnx files, laid out as a model folder of its own
 * (config.json, preprocessor_config.json, tokenizer.json, onnx/*.onnx) with a manifest.json that lists each
 * graph's file, inputs, outputs, size and sha256.
 */
public final class ModelExport {
    private ModelExport() {
    }

    /** Exports every {@link ClipGraphs.Kind}; returns the manifest file. */
    public static Path export(ModelFolder folder, Path outDir) {
        try {
            Files.createDirectories(outDir.resolve("onnx"));
            ObjectMapper json = new ObjectMapper();
            ObjectNode manifest = json.createObjectNode();
            manifest.put("format", "clip-wsss graphs");
            manifest.put("source", folder.dir().toAbsolutePath().normalize().toString());
            manifest.put("onnx_ir_version", OnnxWriter.IR_VERSION);
            manifest.put("onnx_opset", OnnxWriter.OPSET);
            manifest.put("builder_version", BuiltGraphs.BUILDER_VERSION);
            ArrayNode graphs = manifest.putArray("graphs");
            BuiltGraphs builder = new BuiltGraphs(folder, outDir);
            for (ClipGraphs.Kind kind : ClipGraphs.Kind.values()) {
                Path file = outDir.resolve("onnx").resolve(kind.fileName());
                builder.write(kind, file);
                ObjectNode g = graphs.addObject();
                g.put("kind", kind.name().toLowerCase(java.util.Locale.ROOT));
                g.put("file", "onnx/" + kind.fileName());
                g.put("bytes", Files.size(file));
                g.put("sha256", sha256(file));
            }
            AtomicFiles.write(outDir.resolve("config.json"), out -> Files.copy(folder.dir().resolve("config.json"), out));
            if (Files.isRegularFile(folder.preprocessorConfig())) {
                AtomicFiles.write(outDir.resolve("preprocessor_config.json"), out -> Files.copy(folder.preprocessorConfig(), out));
            }
            try (ClipTokenizer tok = ClipTokenizer.forModel(folder.dir())) {
                tok.writeTokenizerJson(outDir.resolve("tokenizer.json"));
            }
            Path manifestFile = outDir.resolve("manifest.json");
            AtomicFiles.writeString(manifestFile, json.writerWithDefaultPrettyPrinter().writeValueAsString(manifest) + "\n");
            return manifestFile;
        } catch (IOException e) {
            throw ClipWsssException.file(outDir, "cannot write the export (" + e.getMessage() + ")", e);
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
