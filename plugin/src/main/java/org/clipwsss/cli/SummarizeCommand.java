package org.clipwsss.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.clipwsss.runtime.batch.ShardReports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code summarize --out DIR}: the shards' reports of a sharded segment run merged into run.json, errors.csv, selection.csv. */
@Command(name = "summarize", description = "Merge the reports of 'segment --shard I/N' runs in an output folder into run.json,"
        + " errors.csv and selection.csv, and say which shards are missing or unfinished (exit 3 then). With --synonym-mode"
        + " dataset it also picks the dataset-wide names from the shards' scores.")
final class SummarizeCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The shards' common output folder.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ShardReports.Summary s = ShardReports.summarize(out);
        spec.commandLine().getOut().println("summarize: " + s.line());
        return s.complete() ? 0 : 3;
    }
}
