package org.clipwsss.runtime.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.io.AtomicFiles;

/**
 * The shards' reports in an output folder, and {@link #summarize}: their {@code run.shard-I-of-N.json} and
 * {@code errors.shard-I-of-N.csv} merged into the folder's {@code run.json}, {@code errors.csv} and
 * {@code selection.csv}, saying which shards are missing or did not finish.
 */
public final class ShardReports {
    static final Pattern RUN = Pattern.compile("run\\.shard-(\\d+)-of-(\\d+)\\.json");
    static final Pattern REPORT = Pattern.compile("(run|errors)\\.shard-\\d+-of-\\d+\\.(json|csv)");

    private ShardReports() {
    }

    /** What {@link #summarize} found: the shard count, the missing and unfinished shards, the summed counts. */
    public record Summary(int shards, List<Integer> missing, List<Integer> incomplete, long images, long done, long skipped,
            long failed, long notProcessed, String synonyms) {
        public boolean complete() {
            return missing.isEmpty() && incomplete.isEmpty();
        }

        /** One line for a terminal or a log. */
        public String line() {
            String counts = images + " images in the shards' reports: " + done + " done, " + skipped + " skipped (already complete), "
                    + failed + " failed" + (notProcessed > 0 ? ", " + notProcessed + " not processed" : "");
            String note = synonyms == null ? "" : "; " + synonyms;
            if (complete()) {
                return shards + " shards, all finished; " + counts + note;
            }
            return shards + " shards; " + (missing.isEmpty() ? "" : "missing (no report yet): " + join(missing) + "; ")
                    + (incomplete.isEmpty() ? "" : "not finished (running, stopped, cancelled or only scored): " + join(incomplete) + "; ")
                    + counts + "; rerun those shards with the same command, then summarize again" + note;
        }

        private String join(List<Integer> indices) {
            return String.join(", ", indices.stream().map(i -> i + "/" + shards).toList());
        }
    }

    /** run.json and every shard's run.shard-I-of-N.json in {@code out}, by name. */
    static List<Path> runFiles(Path out) {
        List<Path> files = new ArrayList<>();
        if (Files.isRegularFile(out.resolve("run.json"))) {
            files.add(out.resolve("run.json"));
        }
        files.addAll(shardRunFiles(out).values());
        return files;
    }

    /** index -> run.shard-I-of-N.json (N checked to be one value). */
    private static TreeMap<Integer, Path> shardRunFiles(Path out) {
        TreeMap<Integer, Path> byIndex = new TreeMap<>();
        java.util.Set<Integer> counts = new java.util.TreeSet<>();
        if (!Files.isDirectory(out)) {
            return byIndex;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(out, "run.shard-*-of-*.json")) {
            for (Path p : s) {
                Matcher m = RUN.matcher(p.getFileName().toString());
                if (m.matches()) {
                    byIndex.put(Integer.parseInt(m.group(1)), p);
                    counts.add(Integer.parseInt(m.group(2)));
                }
            }
        } catch (IOException e) {
            throw ClipWsssException.file(out, "cannot list the shard reports (" + e.getMessage() + ")", e);
        }
        if (counts.size() > 1) {
            throw ClipWsssException.file(out, "holds reports of runs split into different numbers of shards (" + counts
                    + "); rerun with one shard count, or remove the other run.shard-*.json and errors.shard-*.csv");
        }
        return byIndex;
    }

    /** Removes every shard's reports (a whole-folder run with --overwrite replaces them). */
    static void removeShardReports(Path out) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(out)) {
            for (Path p : s) {
                if (REPORT.matcher(p.getFileName().toString()).matches()) {
                    Files.delete(p);
                }
            }
        }
    }

    /**
     * Merges the shards' reports of {@code out}: run.json (status "finished" only when every shard's report is there and
     * finished; the counts summed; the shards listed), errors.csv (every shard's rows, by image name) and selection.csv
     * (from every image's cams/NAME.json). Shards made with other settings are an error.
     */
    public static Summary summarize(Path out) {
        ObjectMapper json = new ObjectMapper();
        TreeMap<Integer, Path> files = shardRunFiles(out);
        if (files.isEmpty()) {
            throw ClipWsssException.file(out, "holds no shard reports (run.shard-I-of-N.json): run segment with --shard I/N first");
        }
        int count = Integer.parseInt(RUN.matcher(files.firstEntry().getValue().getFileName().toString()).replaceAll("$2"));
        List<Integer> missing = new ArrayList<>();
        List<Integer> incomplete = new ArrayList<>();
        JsonNode first = null;
        long[] totals = new long[5];
        ArrayNode shards = json.createArrayNode();
        for (int i = 0; i < count; i++) {
            Path f = files.get(i);
            if (f == null) {
                missing.add(i);
                continue;
            }
            JsonNode r = read(json, f);
            if (first == null) {
                first = r;
            } else if (!first.path("fingerprint").equals(r.path("fingerprint"))) {
                throw ClipWsssException.file(f, "was made with other settings than " + files.firstEntry().getValue().getFileName()
                        + "; rerun that shard with the same settings as the others");
            }
            JsonNode c = r.path("counts");
            boolean finished = r.path("status").asText().equals("finished") && c.path("not_processed").asLong() == 0;
            if (!finished) {
                incomplete.add(i);
            }
            String[] keys = {"images", "done", "skipped", "failed", "not_processed"};
            for (int k = 0; k < keys.length; k++) {
                totals[k] += c.path(keys[k]).asLong();
            }
            ObjectNode e = shards.addObject();
            e.put("index", i);
            e.put("status", r.path("status").asText());
            e.set("counts", c);
            e.set("seconds", r.path("seconds"));
        }
        String synonyms = DatasetScores.reduce(out, count);
        Summary summary = new Summary(count, List.copyOf(missing), List.copyOf(incomplete), totals[0], totals[1], totals[2], totals[3],
                totals[4], synonyms);
        List<String[]> rows = mergeErrors(out, files);
        BatchJob.writeSelectionCsv(out, json);
        ObjectNode run = json.createObjectNode();
        run.put("status", summary.complete() ? "finished" : "incomplete");
        run.put("clip_wsss_version", org.clipwsss.runtime.Version.get());
        for (String k : new String[] {"fingerprint", "model", "input", "settings", "cam_source", "classes", "dataset_synonyms"}) {
            if (first != null && first.has(k)) {
                run.set(k, first.get(k));
            }
        }
        ObjectNode sh = run.putObject("shards");
        sh.put("count", count);
        sh.set("missing", json.valueToTree(missing));
        sh.set("incomplete", json.valueToTree(incomplete));
        sh.set("each", shards);
        ObjectNode counts = run.putObject("counts");
        counts.put("images", totals[0]);
        counts.put("done", totals[1]);
        counts.put("skipped", totals[2]);
        counts.put("failed", totals[3]);
        counts.put("not_processed", totals[4]);
        ArrayNode errors = run.putArray("errors");
        for (String[] row : rows) {
            errors.addObject().put("image", row[0]).put("reason", row[1]);
        }
        run.put("summary", summary.line());
        try {
            AtomicFiles.writeString(out.resolve("run.json"), json.writerWithDefaultPrettyPrinter().writeValueAsString(run) + "\n");
        } catch (IOException e) {
            throw ClipWsssException.file(out.resolve("run.json"), "cannot write (" + e.getMessage() + ")", e);
        }
        return summary;
    }

    private static JsonNode read(ObjectMapper json, Path f) {
        try {
            return json.readTree(f.toFile());
        } catch (IOException e) {
            throw ClipWsssException.file(f, "unreadable shard report (" + e.getMessage() + "); rerun that shard", e);
        }
    }

    /** errors.csv from every shard's errors.shard-I-of-N.csv, rows ordered by image name; returns them as [image, reason]. */
    private static List<String[]> mergeErrors(Path out, TreeMap<Integer, Path> runs) {
        List<String[]> rows = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (Map.Entry<Integer, Path> e : runs.entrySet()) {
            String name = e.getValue().getFileName().toString().replace("run.", "errors.").replace(".json", ".csv");
            Path f = out.resolve(name);
            if (!Files.isRegularFile(f)) {
                continue;
            }
            try {
                List<String> all = Files.readAllLines(f, StandardCharsets.UTF_8);
                lines.addAll(all.subList(Math.min(1, all.size()), all.size()));
            } catch (IOException ex) {
                throw ClipWsssException.file(f, "unreadable (" + ex.getMessage() + ")", ex);
            }
        }
        List<String[]> parsed = new ArrayList<>();
        for (String l : lines) {
            parsed.add(new String[] {firstField(l), l});
        }
        parsed.sort(Comparator.comparing((String[] a) -> a[0]));
        StringBuilder csv = new StringBuilder("image,reason\n");
        for (String[] p : parsed) {
            csv.append(p[1]).append('\n');
            rows.add(new String[] {p[0], unquote(p[1].substring(csvFieldEnd(p[1]) + 1))});
        }
        AtomicFiles.writeString(out.resolve("errors.csv"), csv.toString());
        return rows;
    }

    private static int csvFieldEnd(String line) {
        if (!line.startsWith("\"")) {
            int c = line.indexOf(',');
            return c < 0 ? line.length() - 1 : c;
        }
        for (int i = 1; i < line.length(); i++) {
            if (line.charAt(i) == '"') {
                if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    i++;
                } else {
                    return i + 1;
                }
            }
        }
        return line.length() - 1;
    }

    private static String firstField(String line) {
        return unquote(line.substring(0, Math.min(line.length(), csvFieldEnd(line))));
    }

    private static String unquote(String f) {
        return f.startsWith("\"") && f.endsWith("\"") && f.length() >= 2 ? f.substring(1, f.length() - 1).replace("\"\"", "\"") : f;
    }
}
