package org.clipwsss.runtime.batch;

import java.util.ArrayList;
import java.util.List;
import org.clipwsss.runtime.ClipWsssException;

/**
 * Shard {@code index} of {@code count} (0 <= index < count) of a folder: the images at positions index, index + count,
 * index + 2 count, ... of the folder's images sorted by name. Every shard computes its part from the file names alone,
 * so shards agree without talking to each other, the parts are balanced (their sizes differ by at most one), and a
 * rerun over the same folder gives each shard the same images. Shards share the output folder; each keeps its own
 * {@code run.shard-I-of-N.json}, {@code errors.shard-I-of-N.csv} and lock, and {@code summarize} merges them.
 */
public record Shard(int index, int count) {
    public Shard {
        if (count < 1 || index < 0 || index >= count) {
            throw new ClipWsssException("shard " + index + "/" + count + ": needs 0 <= I < N (I/N, e.g. 0/4 to 3/4; a SLURM array"
                    + " --array=0-3 gives SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT)");
        }
    }

    /** "I/N", e.g. "2/4"; surrounding spaces allowed. */
    public static Shard parse(String text) {
        String[] parts = text.trim().split("/", -1);
        if (parts.length != 2) {
            throw new ClipWsssException("shard '" + text + "' is not I/N (e.g. 0/4)");
        }
        try {
            return new Shard(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new ClipWsssException("shard '" + text + "' is not I/N with whole numbers (e.g. 0/4)");
        }
    }

    /** This shard's part of {@code sorted} (the folder's images in name order). */
    public <T> List<T> of(List<T> sorted) {
        List<T> mine = new ArrayList<>();
        for (int i = index; i < sorted.size(); i += count) {
            mine.add(sorted.get(i));
        }
        return mine;
    }

    /** The suffix of this shard's report files: {@code .shard-I-of-N}. */
    public String suffix() {
        return ".shard-" + index + "-of-" + count;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
