package org.clipwsss.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.clipwsss.runtime.batch.BatchJob;
import org.clipwsss.runtime.batch.BatchSummary;
import org.clipwsss.runtime.batch.TerminalProgress;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.pipeline.Pipeline;
import org.clipwsss.runtime.session.SessionFactory;

/** Runs a batch for cam and segment with the shared options, printing progress to the terminal. */
final class BatchRun {
    private BatchRun() {
    }

    static BatchSummary run(ModelOptions modelOptions, PipelineOptions pipelineOptions, BatchJob.Input input, Path out,
            int every, boolean overwrite, PrintWriter terminal) {
        try (SessionFactory sessions = modelOptions.sessions(); ClipModel model = modelOptions.open(sessions)) {
            Pipeline pipeline = Pipeline.create(model, pipelineOptions.settings());
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("folder", model.folder().dir().toAbsolutePath().toString());
            info.put("source", model.source().toString());
            info.put("device", sessions.device().toString());
            info.put("image_size", model.config().vision().imageSize());
            info.put("patch_size", model.config().vision().patchSize());
            return new BatchJob(pipeline, input, out, new TerminalProgress(terminal, every), info, overwrite).run();
        }
    }
}
