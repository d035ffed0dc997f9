package org.clipwsss.plugin.commands;

import ij.measure.ResultsTable;
import java.io.File;
import org.clipwsss.runtime.models.InstalledModel;
import org.clipwsss.runtime.models.ManifestModel;
import org.clipwsss.runtime.models.ModelManifest;
import org.clipwsss.runtime.models.ModelStore;
import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.ui.UIService;

/**
 * Lists installed CLIP models and the known ones, installs a known model (download with progress, sha256
 * check, resumable), registers a local model folder, or removes one.
 */
@Plugin(type = Command.class, headless = true, menuPath = "Plugins>CLIP WSSS>Manage Models...")
public class ManageModelsCommand extends ContextCommand {
    @Parameter
    private LogService log;

    @Parameter
    private StatusService status;

    @Parameter(required = false)
    private UIService ui;

    @Parameter(label = "Action", choices = {"list", "install", "register", "remove"})
    private String action = "list";

    @Parameter(label = "Model", required = false,
            description = "install: a known model id (see list); register: a name for the folder; remove: an installed name")
    private String model = "";

    @Parameter(label = "Local model folder (register)", style = "directory", required = false)
    private File folder;

    @Parameter(label = "Models folder", style = "directory", required = false,
            description = "Where models are kept (default: $CLIP_WSSS_MODELS or ~/.cache/clip-wsss/models)")
    private File store;

    @Parameter(type = ItemIO.OUTPUT)
    private ResultsTable models;

    @Override
    public void run() {
        CommandSupport.guard(this, "Manage Models", log, ui, () -> {
            ModelStore s = new ModelStore(store != null ? store.toPath() : ModelStore.defaultFolder());
            switch (action) {
                case "install" -> {
                    ManifestModel m = ModelManifest.bundled().find(model.trim());
                    s.install(m, (file, done, total) -> status.showStatus((int) Math.min(done / 1024, Integer.MAX_VALUE),
                            (int) Math.max(1, total / 1024), "Downloading " + m.id() + ": " + file), this::isCanceled);
                    log.info("CLIP WSSS: installed " + m.id());
                }
                case "register" -> {
                    if (folder == null) {
                        throw new org.clipwsss.runtime.ClipWsssException("register needs a local model folder");
                    }
                    InstalledModel m = s.register(folder.toPath(), model.isBlank() ? folder.getName() : model.trim());
                    log.info("CLIP WSSS: registered " + m.name() + " -> " + m.folder());
                }
                case "remove" -> s.remove(model.trim());
                default -> { }
            }
            status.clearStatus();
            models = table(s);
        });
    }

    private static ResultsTable table(ModelStore s) {
        ResultsTable t = new ResultsTable();
        for (InstalledModel m : s.installed()) {
            t.incrementCounter();
            t.addValue("Model", m.name());
            t.addValue("Status", "installed");
            t.addValue("Origin", m.origin());
            t.addValue("Folder", m.folder().toString());
        }
        for (ManifestModel m : ModelManifest.bundled().models()) {
            if (s.find(m.id()).isEmpty()) {
                t.incrementCounter();
                t.addValue("Model", m.id());
                t.addValue("Status", m.downloadable() ? "available" : "bundled");
                t.addValue("Origin", m.license());
                t.addValue("Folder", m.downloadSize().isPresent() ? (m.downloadSize().getAsLong() >> 20) + " MB" : "size unknown");
            }
        }
        return t;
    }
}
