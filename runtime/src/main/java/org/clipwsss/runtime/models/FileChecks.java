package org.clipwsss.runtime.models;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.IoProblems;
import org.clipwsss.runtime.io.SafetensorsFile;
import org.clipwsss.runtime.io.Shapes;

/**
 * Structural checks of downloaded model files, by their name: a {@code .safetensors} file must open and its tensors
 * must cover its data exactly, an {@code .onnx} file must load in ONNX Runtime, a {@code .json} file must parse.
 * Other files are not checked.
 */
final class FileChecks {
    /** Bytes per element of each safetensors dtype (as the format defines them). */
    private static final Map<String, Integer> ITEM_SIZES = Map.ofEntries(
            Map.entry("BOOL", 1), Map.entry("U8", 1), Map.entry("I8", 1), Map.entry("F8_E5M2", 1),
            Map.entry("F8_E4M3", 1), Map.entry("F8_E8M0", 1), Map.entry("I16", 2), Map.entry("U16", 2),
            Map.entry("F16", 2), Map.entry("BF16", 2), Map.entry("I32", 4), Map.entry("U32", 4),
            Map.entry("F32", 4), Map.entry("F64", 8), Map.entry("I64", 8), Map.entry("U64", 8),
            Map.entry("C64", 8));
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private FileChecks() {
    }

    /** Whether {@link #problem} checks files of this name. */
    static boolean checked(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".safetensors") || n.endsWith(".onnx") || n.endsWith(".json");
    }

    /**
     * What is wrong with the file's structure, as a phrase ("not a valid ONNX model (...)"), or {@code null} when
     * nothing is (or its kind is not checked).
     */
    static String problem(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".safetensors")) {
            return safetensorsProblem(file);
        } else if (n.endsWith(".onnx")) {
            return onnxProblem(file);
        } else if (n.endsWith(".json")) {
            return jsonProblem(file);
        }
        return null;
    }

    private static String safetensorsProblem(Path file) {
        long covered = 0;
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            // the reader has checked that the tensors lie inside the data and do not overlap, so they cover it
            // exactly when their sizes add up to it
            for (String name : st.names()) {
                Integer itemSize = ITEM_SIZES.get(st.dtype(name));
                if (itemSize == null) {
                    return "not a valid safetensors file (tensor '" + name + "' has unknown dtype "
                            + st.dtype(name) + ")";
                }
                covered = Math.addExact(covered, Math.multiplyExact(Shapes.size(st.shape(name)), itemSize));
            }
        } catch (ClipWsssException e) {
            return "not a valid safetensors file (" + withoutFile(e.getMessage(), file) + ")";
        } catch (ArithmeticException | IllegalArgumentException e) {
            return "not a valid safetensors file (tensor sizes overflow)";
        }
        long data;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (header.hasRemaining() && channel.read(header, header.position()) >= 0) {
                // reads the 8-byte header length
            }
            data = channel.size() - 8 - header.flip().getLong();
        } catch (IOException e) {
            return IoProblems.describe("could not read", e);
        }
        if (covered != data) {
            return "not a valid safetensors file (its tensors take " + covered + " bytes but the data after the "
                    + "header is " + data + " bytes)";
        }
        return null;
    }

    private static String onnxProblem(Path file) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession session = env.createSession(file.toString(), options)) {
                return null;
            }
        } catch (OrtException | RuntimeException e) {
            String m = String.valueOf(e.getMessage()).lines().findFirst().orElse("").strip();
            return "not a valid ONNX model (ONNX Runtime cannot load it: "
                    + (m.length() > 300 ? m.substring(0, 297) + "..." : m) + ")";
        }
    }

    private static String jsonProblem(Path file) {
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || root.isMissingNode()) {
                return "not valid JSON (the file is empty)";
            }
            return null;
        } catch (JsonProcessingException e) {
            return "not valid JSON (" + String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("")
                    + ")";
        } catch (IOException e) {
            return IoProblems.describe("could not read", e);
        }
    }

    /** A "FILE: problem" message without the "FILE: ". */
    private static String withoutFile(String message, Path file) {
        String prefix = file + ": ";
        return message != null && message.startsWith(prefix) ? message.substring(prefix.length())
                : String.valueOf(message);
    }
}
