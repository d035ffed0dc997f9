package org.clipwsss.cli;

import java.nio.file.Path;
import org.clipwsss.runtime.clip.ClipModel;
import org.clipwsss.runtime.clip.GraphSource;
import org.clipwsss.runtime.session.Device;
import org.clipwsss.runtime.session.SessionFactory;
import picocli.CommandLine.Option;

/** Options every command that runs a model shares (a picocli mixin). */
public final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "CLIP model folder (Hugging Face layout).")
    Path model;

    @Option(names = "--source", defaultValue = "auto", paramLabel = "onnx|safetensors",
            description = "Encoder graphs: the folder's ONNX export, or graphs built from model.safetensors "
                    + "(default: onnx when present).")
    String source;

    @Option(names = "--variant", defaultValue = "auto", paramLabel = "auto|fp32|fp16|quantized",
            description = "Which ONNX export files to use (default: plain, else fp16, else quantized); with --source safetensors,"
                    + " quantized builds int8 graphs (dynamic quantization of the weight MatMuls) from the weights and fp16"
                    + " half-precision graphs (for gradcam and clip-es, the trunk; their gradient graphs stay float).")
    String variant;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "cpu|cuda|auto",
            description = "ONNX Runtime execution provider (default: CUDA when available, else CPU).")
    String device;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "ONNX Runtime intra-op threads (0: ONNX Runtime's default).")
    int threads;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "Folder for graphs built from safetensors (default: $CLIP_WSSS_CACHE or ~/.cache/clip-wsss).")
    Path cache;

    public SessionFactory sessions() {
        return new SessionFactory(Device.parse(device), threads);
    }

    /** The sessions with {@code n} intra-op threads instead of --threads (a Spark task's cores). */
    public SessionFactory sessions(int n) {
        return new SessionFactory(Device.parse(device), n);
    }

    /** The --model folder. */
    public Path model() {
        return model;
    }

    public ClipModel open(SessionFactory sessions) {
        return open(sessions, model);
    }

    /** The model in {@code dir} (a copy of --model's folder) with these options. */
    public ClipModel open(SessionFactory sessions, Path dir) {
        ClipModel.Options o = ClipModel.Options.defaults().withSource(GraphSource.parse(source)).withVariant(variant)
                .withSessions(sessions).withCacheRoot(cache);
        return ClipModel.open(dir, o);
    }
}
