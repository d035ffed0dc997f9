package org.clipwsss.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.clipwsss.runtime.clip.ModelExport;
import org.clipwsss.runtime.clip.ModelFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "export", description = "Writes the graphs built in Java from model.safetensors as .onnx files with a manifest.")
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR2")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Path manifest = ModelExport.export(ModelFolder.open(model, "auto"), out);
        spec.commandLine().getOut().println("wrote " + manifest);
        return 0;
    }
}
