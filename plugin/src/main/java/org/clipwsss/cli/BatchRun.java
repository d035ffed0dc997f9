package org.clipwsss.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.clipwsss.runtime.batch.BatchJob;
import org.clipwsss.runtime.batch.BatchSummary;
import org.clipwsss.runtime.batch.ImageOutcome;
import org.clipwsss.runtime.batch.ProgressListener;
import org.clipwsss.runtime.batch.TerminalProgress;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.pipeline.Pipeline;
import org.clipwsss.runtime.session.SessionFactory;

/**
 * Runs a batch for cam and segment with the shared options, printing progress to the terminal. Ctrl-C or SIGTERM
 * stops it after the current image (its outputs whole, errors.csv and run.json written, run.json's counts marked
 * cancelled) and the command line exits 3; the same command then resumes ({@link CancelOnSignal}).
 */
final class BatchRun {
    private BatchRun() {
    }

    static BatchSummary run(ModelOptions modelOptions, PipelineOptions pipelineOptions, BatchJob.Input input, Path out,
            int every, boolean overwrite, PrintWriter terminal) {
        return run(modelOptions, pipelineOptions, input, out, every, overwrite, terminal, BatchJob.CamStorage.FULL, null);
    }

    static BatchSummary run(ModelOptions modelOptions, PipelineOptions pipelineOptions, BatchJob.Input input, Path out,
            int every, boolean overwrite, PrintWriter terminal, BatchJob.CamStorage storage, org.clipwsss.runtime.batch.Shard shard) {
        try (SessionFactory sessions = modelOptions.sessions(); ClipModel model = modelOptions.open(sessions)) {
            Pipeline pipeline = Pipeline.create(model, pipelineOptions.settings());
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("folder", model.folder().dir().toAbsolutePath().toString());
            info.put("source", model.source().toString());
            info.put("device", sessions.device().toString());
            info.put("image_size", model.config().vision().imageSize());
            info.put("patch_size", model.config().vision().patchSize());
            try (CancelOnSignal cancel = new CancelOnSignal(terminal,
                    "interrupted: stopping after this image; run the same command again to continue")) {
                BatchSummary s = new BatchJob(pipeline, input, out, new Cancellable(new TerminalProgress(terminal, every), cancel),
                        info, overwrite).camStorage(storage).shard(shard).run();
                if (s.cancelled()) {
                    cancel.stoppedEarly();
                }
                return s;
            }
        }
    }

    /** The terminal's progress, stopped by a signal. */
    private record Cancellable(ProgressListener progress, CancelOnSignal cancel) implements ProgressListener {
        @Override
        public void started(int total) {
            progress.started(total);
        }

        @Override
        public void imageFinished(ImageOutcome outcome, int finished, int total) {
            progress.imageFinished(outcome, finished, total);
        }

        @Override
        public void finished(BatchSummary summary) {
            progress.finished(summary);
        }

        @Override
        public boolean cancelRequested() {
            return cancel.requested() || progress.cancelRequested();
        }
    }
}
