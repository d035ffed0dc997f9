package org.clipwsss.runtime.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.AtomicFiles;
import org.clipwsss.runtime.select.DatasetSelection;

/**
 * POLE's dataset-wide synonym choice across shards: each shard's sums ({@code synonym-scores.shard-I-of-N.json}, with
 * the key of the whole run: settings, every image of the folder, the labels), reduced into the folder's
 * {@code synonyms-dataset.json}, the file an unsharded run writes and reads.
 */
final class DatasetScores {
    static final String SELECTED = "synonyms-dataset.json";
    private static final Pattern SCORES = Pattern.compile("synonym-scores\\.shard-(\\d+)-of-(\\d+)\\.json");

    private DatasetScores() {
    }

    static void writeSelected(Path file, JsonNode key, DatasetSelection sel, ObjectMapper json) throws IOException {
        ObjectNode o = json.createObjectNode();
        o.set("key", key);
        o.set("selected", json.valueToTree(sel.choices()));
        o.set("mean_probability", json.valueToTree(sel.means()));
        AtomicFiles.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n");
    }

    static void writeScores(Path file, JsonNode key, DatasetSelection sel, ObjectMapper json) throws IOException {
        ObjectNode o = json.createObjectNode();
        o.set("key", key);
        o.set("sums", json.valueToTree(sel.sums()));
        AtomicFiles.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n");
    }

    /**
     * Reduces the shards' scores when all {@code count} are there with one key: writes synonyms-dataset.json and returns
     * a line saying so; null when the folder holds no shard scores; a line naming the missing shards otherwise.
     */
    static String reduce(Path out, int count) {
        ObjectMapper json = new ObjectMapper();
        TreeMap<Integer, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(out, "synonym-scores.shard-*-of-*.json")) {
            for (Path p : s) {
                Matcher m = SCORES.matcher(p.getFileName().toString());
                if (m.matches() && Integer.parseInt(m.group(2)) == count) {
                    files.put(Integer.parseInt(m.group(1)), p);
                }
            }
        } catch (IOException e) {
            throw ClipWsssException.file(out, "cannot list the shards' synonym scores (" + e.getMessage() + ")", e);
        }
        if (files.isEmpty()) {
            return null;
        }
        if (files.size() < count) {
            java.util.List<String> missing = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                if (!files.containsKey(i)) {
                    missing.add(i + "/" + count);
                }
            }
            return "dataset-wide synonyms: scores missing from shards " + String.join(", ", missing);
        }
        try {
            JsonNode key = null;
            DatasetSelection sel = new DatasetSelection();
            for (Path f : files.values()) {
                JsonNode n = json.readTree(f.toFile());
                if (key == null) {
                    key = n.path("key");
                } else if (!key.equals(n.path("key"))) {
                    throw ClipWsssException.file(f, "scores were made for other settings or images than those of the other shards;"
                            + " rerun that shard with the same settings");
                }
                Map<String, Map<String, double[]>> sums = new LinkedHashMap<>();
                n.path("sums").fields().forEachRemaining(l -> {
                    Map<String, double[]> per = new LinkedHashMap<>();
                    l.getValue().fields().forEachRemaining(c -> per.put(c.getKey(),
                            new double[] {c.getValue().get(0).asDouble(), c.getValue().get(1).asDouble()}));
                    sums.put(l.getKey(), per);
                });
                sel.merge(sums);
            }
            writeSelected(out.resolve(SELECTED), key, sel, json);
            return "dataset-wide synonyms chosen from " + count + " shards' scores (" + SELECTED + "): " + sel.choices()
                    + "; run the shards again to make the outputs";
        } catch (IOException e) {
            throw ClipWsssException.file(out, "cannot read the shards' synonym scores (" + e.getMessage() + ")", e);
        }
    }
}
