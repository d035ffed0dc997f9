package org.clipwsss.runtime.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.clipwsss.runtime.ClipWsssException;

/**
 * Everything that changes a batch's outputs (the pipeline's settings, the CAM source, the model, the class list),
 * recorded in {@code run.json} as {@code "fingerprint"}; a rerun into the same folder with another fingerprint is
 * refused, naming the settings that differ, unless it recomputes everything ({@code --overwrite}).
 */
final class RunFingerprint {
    private final Map<String, Object> values;

    RunFingerprint(Map<String, Object> settings, String camSource, Map<String, Object> model, List<String> classes) {
        Map<String, Object> v = new LinkedHashMap<>(settings);
        v.put("cam_source", camSource);
        v.put("model", model);
        v.put("classes", classes);
        this.values = v;
    }

    Map<String, Object> values() {
        return values;
    }

    /**
     * Checks {@code out/run.json} of an earlier run: nothing there, or the same fingerprint, is fine; another one
     * (or outputs with no fingerprint) is an error naming the differences, unless {@code overwrite}.
     */
    void check(Path out, ObjectMapper json, boolean overwrite) {
        if (overwrite) {
            return;
        }
        for (Path runJson : ShardReports.runFiles(out)) {
            check(out, runJson, json);
        }
    }

    /** One run file's fingerprint against this one (run.json, or a shard's run.shard-I-of-N.json). */
    private void check(Path out, Path runJson, ObjectMapper json) {
        JsonNode saved;
        try {
            saved = json.readTree(runJson.toFile()).path("fingerprint");
        } catch (IOException e) {
            throw ClipWsssException.file(runJson, "unreadable (" + e.getMessage() + "); use --overwrite to recompute the folder", e);
        }
        if (saved.isMissingNode()) {
            throw ClipWsssException.file(out, "holds outputs of a run that recorded no settings; use --overwrite to recompute"
                    + " them, or give another output folder");
        }
        JsonNode now;
        try {
            now = json.readTree(json.writeValueAsString(values)); // as it reads back from run.json (float vs double nodes)
        } catch (IOException e) {
            throw new ClipWsssException("cannot compare the run's settings (" + e.getMessage() + ")", e);
        }
        List<String> differences = new ArrayList<>();
        Iterator<String> keys = now.fieldNames();
        while (keys.hasNext()) {
            String k = keys.next();
            if (!now.get(k).equals(saved.get(k))) {
                differences.add(k + ": " + text(saved.get(k)) + " -> " + text(now.get(k)));
            }
        }
        saved.fieldNames().forEachRemaining(k -> {
            if (!now.has(k)) {
                differences.add(k + ": " + text(saved.get(k)) + " -> (none)");
            }
        });
        if (!differences.isEmpty()) {
            throw ClipWsssException.file(out, "was made with other settings (" + (runJson.getFileName().toString().equals("run.json") ? ""
                    : runJson.getFileName() + ": ") + String.join("; ", differences)
                    + "); rerun with the same settings to resume, use --overwrite to recompute everything, or give another output folder");
        }
    }

    private static String text(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return "(none)";
        }
        String s = n.isTextual() ? n.asText() : n.toString();
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }
}
