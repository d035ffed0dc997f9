package org.clipwsss.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.clipwsss.runtime.crf.ClipEsCrf;
import org.clipwsss.runtime.eval.CamSweep;
import org.clipwsss.runtime.eval.ClassNames;
import org.clipwsss.runtime.eval.EvaluationReport;
import org.clipwsss.runtime.eval.EvaluationResult;
import org.clipwsss.runtime.eval.MaskEvaluation;
import org.clipwsss.runtime.eval.SweepResult;
import org.clipwsss.runtime.io.AtomicFiles;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

@Command(name = "evaluate", description = {
    "Scores predicted masks against ground-truth masks (mIoU, per-class IoU, precision, recall), or sweeps the",
    "background threshold over saved CAMs (NAME.npy [K,H,W] float32 + NAME.json {\"classes\": [...]}), or scores",
    "the CAMs' dense-CRF pseudo masks (--crf --images DIR), as CLIP-ES's eval_cam_with_crf.py.",
    "Files are paired by name: PRED/NAME.png or CAMS/NAME.npy with GT/NAME.png."})
final class EvaluateCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--pred", required = true, paramLabel = "DIR",
                description = "Predicted masks: palette or 8-bit gray PNGs, value = class index.")
        Path pred;

        @ArgGroup(exclusive = false, multiplicity = "1")
        Sweep sweep;
    }

    static final class Sweep {
        @Option(names = "--cams", required = true, paramLabel = "DIR", description = "Saved CAMs: NAME.npy and NAME.json.")
        Path cams;

        @Option(names = "--sweep", paramLabel = "FROM:TO:STEP", converter = RangeConverter.class,
                description = "Background thresholds to try, e.g. 0.1:0.9:0.05 (CLIP-ES's seed-CAM table).")
        Range range;

        @Option(names = "--crf", description = "CLIP-ES's pseudo-mask protocol instead: each CAM stack through its dense CRF"
                + " on the image (--images), pixels under 0.95 confidence 255.")
        boolean crf;

        @Option(names = "--images", paramLabel = "DIR", description = "With --crf: the images (NAME.jpg, ...).")
        Path images;

        @Option(names = "--bg-power", paramLabel = "K", description = "With --crf: the background score (1 - max)^K (default 1).")
        float bgPower = 1f;
    }

    @Option(names = "--gt", required = true, paramLabel = "DIR",
            description = "Ground-truth masks: VOC palette PNGs, 255 = ignore.")
    Path gt;

    @Option(names = "--classes", paramLabel = "FILE",
            description = "One class name per line, line index = mask value (default: the 21 VOC classes).")
    Path classes;

    @Option(names = "--json", paramLabel = "OUT.json", description = "Also write the scores as JSON.")
    Path json;

    @Spec
    CommandSpec spec;

    record Range(float from, float to, float step) {
    }

    /** "FROM:TO:STEP", checked by {@link CamSweep#thresholds}; a bad range is a usage error. */
    static final class RangeConverter implements ITypeConverter<Range> {
        @Override
        public Range convert(String value) {
            String[] parts = value.split(":", -1);
            if (parts.length != 3) {
                throw new TypeConversionException("'" + value + "' is not FROM:TO:STEP, e.g. 0.1:0.9:0.05");
            }
            try {
                Range range = new Range(Float.parseFloat(parts[0]), Float.parseFloat(parts[1]),
                        Float.parseFloat(parts[2]));
                CamSweep.thresholds(range.from(), range.to(), range.step());
                return range;
            } catch (IllegalArgumentException e) { // NumberFormatException included
                throw new TypeConversionException("'" + value + "': " + e.getMessage());
            }
        }
    }

    @Override
    public Integer call() {
        List<String> names = classes == null ? null : ClassNames.read(classes);
        Sweep s = input.sweep;
        if (s != null && (s.crf == (s.range != null))) {
            throw new ParameterException(spec.commandLine(), "with --cams give either --sweep FROM:TO:STEP or --crf --images DIR");
        }
        if (s != null && s.crf && s.images == null) {
            throw new ParameterException(spec.commandLine(), "--crf needs --images DIR (the CRF runs on each CAM's image)");
        }
        EvaluationReport result = s == null ? MaskEvaluation.evaluate(input.pred, gt, names)
                : s.crf ? CamSweep.evaluateCrf(s.cams, gt, s.images, names, ClipEsCrf.Settings.clipEs().withBgPower(s.bgPower))
                : CamSweep.evaluate(s.cams, gt, names, s.range.from(), s.range.to(), s.range.step());
        PrintWriter out = spec.commandLine().getOut();
        out.print(result.toTable());
        if (json != null) {
            AtomicFiles.writeString(json, result.toJson());
            out.println("wrote " + json);
        }
        out.flush();
        EvaluationResult scored = result instanceof SweepResult sweep ? sweep.best() : (EvaluationResult) result;
        if (scored.nothingScored()) {
            // the report above says which files were left out and why; the exit code says the run failed
            Path predictions = s == null ? input.pred : s.cams;
            String why = scored.leftOutSummary();
            PrintWriter err = spec.commandLine().getErr();
            err.println("clip-wsss: error: " + predictions + ": nothing was scored against " + gt
                    + (why.isEmpty() ? "" : " (" + why + ")"));
            err.flush();
            return 1;
        }
        return 0;
    }
}
