package org.clipwsss.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.clipwsss.runtime.ClipWsssException;
import org.clipwsss.runtime.models.InstalledModel;
import org.clipwsss.runtime.models.ManifestModel;
import org.clipwsss.runtime.models.ModelManifest;
import org.clipwsss.runtime.models.ModelStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "models", description = "Lists, installs (downloads), registers or removes CLIP models.")
final class ModelsCommand implements Callable<Integer> {
    @Parameters(index = "0", defaultValue = "list", paramLabel = "list|install|register|remove")
    String action;

    @Parameters(index = "1", arity = "0..1", paramLabel = "MODEL", description = "A known model id (install), a name (remove).")
    String model;

    @Option(names = "--folder", paramLabel = "DIR", description = "The local model folder to register.")
    Path folder;

    @Option(names = "--store", paramLabel = "DIR", description = "Models folder (default: $CLIP_WSSS_MODELS or ~/.cache/clip-wsss/models).")
    Path store;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ModelStore s = new ModelStore(store != null ? store : ModelStore.defaultFolder());
        switch (action) {
            case "install" -> {
                ManifestModel m = ModelManifest.bundled().find(need(model, "install needs a model id"));
                long[] last = {0};
                Path dir = s.install(m, (file, done, total) -> {
                    if (System.nanoTime() - last[0] > 1_000_000_000L || done == total) {
                        last[0] = System.nanoTime();
                        out.printf("  %s: %d%s MB%n", file, done >> 20, total > 0 ? " of " + (total >> 20) : "");
                        out.flush();
                    }
                }, () -> false);
                out.println("installed " + m.id() + " in " + dir);
            }
            case "register" -> {
                if (folder == null) {
                    throw new ClipWsssException("register needs --folder DIR");
                }
                InstalledModel m = s.register(folder, model == null ? folder.getFileName().toString() : model);
                out.println("registered " + m.name() + " -> " + m.folder());
            }
            case "remove" -> {
                s.remove(need(model, "remove needs a model name"));
                out.println("removed " + model);
            }
            case "list" -> {
                out.println("installed in " + s.folder() + ":");
                for (InstalledModel m : s.installed()) {
                    out.printf("  %-40s %s (%s)%n", m.name(), m.folder(), m.origin());
                }
                out.println("known (install with: clip-wsss models install ID):");
                for (ManifestModel m : ModelManifest.bundled().models()) {
                    out.printf("  %-40s %s%s%n", m.id(), m.license(), m.downloadable() ? "" : " (bundled: " + m.bundled() + ")");
                }
            }
            default -> throw new ClipWsssException("unknown action '" + action + "' (list, install, register, remove)");
        }
        out.flush();
        return 0;
    }

    private static String need(String value, String problem) {
        if (value == null || value.isBlank()) {
            throw new ClipWsssException(problem);
        }
        return value;
    }
}
