package org.clipwsss.training.optim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.AtomicFiles;
import org.clipwsss.runtime.io.NpyArray;
import org.clipwsss.runtime.io.SafetensorsFile;
import org.clipwsss.runtime.io.SafetensorsWriter;

/**
 * A training checkpoint: {@code checkpoint.safetensors} (the parameters and the optimizer's state) and
 * {@code checkpoint.json} (the step reached, the loss curve so far, the settings it was made with). Both are
 * written atomically, the tensors first, so a run stopped at any point resumes from the last complete one.
 */
public record Checkpoint(int step, Map<String, NpyArray> parameters, Map<String, float[]> optimizerState, double[] losses,
        JsonNode settings) {
    public static final String TENSORS = "checkpoint.safetensors";
    public static final String META = "checkpoint.json";
    private static final String OPT = "optimizer/";
    private static final String EMBEDDED = "checkpoint_json";

    public void save(Path dir) {
        Map<String, NpyArray> tensors = new LinkedHashMap<>(parameters);
        optimizerState.forEach((k, v) -> tensors.put(OPT + k, NpyArray.ofFloats(v, v.length)));
        ObjectMapper json = new ObjectMapper();
        ObjectNode meta = json.createObjectNode();
        meta.put("step", step);
        meta.set("losses", json.valueToTree(losses));
        meta.set("settings", settings);
        String text;
        try {
            text = json.writerWithDefaultPrettyPrinter().writeValueAsString(meta) + "\n";
        } catch (IOException e) {
            throw ClipWsssException.file(dir.resolve(META), "cannot write (" + e.getMessage() + ")", e);
        }
        // the tensors carry their own copy of the metadata: a stop between the two writes leaves a usable pair
        SafetensorsWriter.write(dir.resolve(TENSORS), tensors, Map.of("format", "clip-wsss checkpoint", "step", Integer.toString(step),
                EMBEDDED, text));
        AtomicFiles.writeString(dir.resolve(META), text);
    }

    /** The checkpoint in {@code dir}, or null when there is none. */
    public static Checkpoint load(Path dir) {
        Path metaFile = dir.resolve(META);
        Path tensorFile = dir.resolve(TENSORS);
        if (!Files.isRegularFile(metaFile) && !Files.isRegularFile(tensorFile)) {
            return null;
        }
        JsonNode meta;
        try {
            meta = new ObjectMapper().readTree(metaFile.toFile());
        } catch (IOException e) {
            throw ClipWsssException.file(metaFile, "corrupt checkpoint metadata (" + e.getMessage() + "); delete it to start over", e);
        }
        if (meta == null || !meta.path("step").isInt() || !meta.path("losses").isArray()) {
            throw ClipWsssException.file(metaFile, "corrupt checkpoint metadata (no step or losses); delete it to start over");
        }
        Map<String, NpyArray> params = new LinkedHashMap<>();
        Map<String, float[]> state = new LinkedHashMap<>();
        try (SafetensorsFile st = SafetensorsFile.open(tensorFile)) {
            String tensorStep = st.metadata().get("step");
            if (tensorStep != null && !tensorStep.equals(Integer.toString(meta.get("step").asInt()))) {
                // stopped between writing the tensors and checkpoint.json: the tensors' own copy belongs to them
                String embedded = st.metadata().get(EMBEDDED);
                if (embedded == null) {
                    throw ClipWsssException.file(tensorFile, "is at step " + tensorStep + ", " + META + " at step " + meta.get("step")
                            + "; delete both to start over");
                }
                try {
                    meta = new ObjectMapper().readTree(embedded);
                } catch (IOException e) {
                    throw ClipWsssException.file(tensorFile, "corrupt checkpoint metadata (" + e.getMessage() + "); delete it to start over", e);
                }
            }
            for (String name : st.names()) {
                NpyArray a = st.readArray(name);
                if (name.startsWith(OPT)) {
                    state.put(name.substring(OPT.length()), a.toFloats());
                } else {
                    params.put(name, a);
                }
            }
        }
        int step = meta.get("step").asInt();
        double[] losses = new double[meta.get("losses").size()];
        for (int i = 0; i < losses.length; i++) {
            losses[i] = meta.get("losses").get(i).asDouble();
        }
        if (losses.length != step) {
            throw ClipWsssException.file(metaFile, "corrupt checkpoint: " + losses.length + " losses for step " + step);
        }
        return new Checkpoint(step, params, state, losses, meta.get("settings"));
    }
}
