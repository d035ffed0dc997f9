package org.clipwsss.runtime.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.clipwsss.runtime.ClipWsssException;

/**
 * The model folders registered in a store, kept in {@code registry.json}:
 * {@code {"format": 1, "models": [{"name": "...", "folder": "/absolute/path"}]}}.
 */
final class LocalRegistry {
    private static final String WHAT = "model registry";

    private final Path file;

    LocalRegistry(Path file) {
        this.file = file;
    }

    /** The registered folders, in registration order; none when the file does not exist. */
    List<InstalledModel> read() {
        if (!Files.exists(file)) {
            return List.of();
        }
        JsonNode models = StoreFiles.readJson(file, WHAT).get("models");
        if (models == null || !models.isArray()) {
            throw ClipWsssException.file(file, "not a valid " + WHAT + " (no \"models\" list)");
        }
        List<InstalledModel> result = new ArrayList<>();
        for (JsonNode m : models) {
            String name = m.path("name").asText("");
            String folder = m.path("folder").asText("");
            if (name.isBlank() || folder.isBlank()) {
                throw ClipWsssException.file(file, "not a valid " + WHAT + " (an entry lacks \"name\" or \"folder\")");
            }
            result.add(new InstalledModel(name, Path.of(folder), InstalledModel.LOCAL));
        }
        return result;
    }

    void write(List<InstalledModel> models) {
        ObjectNode root = StoreFiles.object().put("format", 1);
        ArrayNode list = root.putArray("models");
        for (InstalledModel m : models) {
            list.addObject().put("name", m.name()).put("folder", m.folder().toString());
        }
        StoreFiles.writeJson(file, root);
    }
}
