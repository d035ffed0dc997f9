package org.clipwsss.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.batch.BatchJob;
import org.clipwsss.runtime.batch.BatchSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "cam", description = "Class activation maps (and a pseudo mask) for one image and its labels.")
final class CamCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    PipelineOptions pipelineOptions;

    @Option(names = "--image", required = true, paramLabel = "FILE")
    Path image;

    @Option(names = "--labels", required = true, paramLabel = "\"cat;dog\"")
    String labels;

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        BatchSummary s = BatchRun.run(modelOptions, pipelineOptions,
                BatchJob.Input.files(List.of(image), null, SegmentCommand.splitLabels(labels), null), out, 1, true,
                spec.commandLine().getOut());
        if (s.failed() > 0) {
            throw ClipWsssException.file(image, s.failures().get(0).reason());
        }
        return 0;
    }
}
