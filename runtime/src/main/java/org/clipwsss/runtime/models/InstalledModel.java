package org.clipwsss.runtime.models;

import java.nio.file.Path;

/**
 * A model in a {@link ModelStore}.
 *
 * @param name   what to call it by ({@link ModelStore#resolve}, {@link ModelStore#remove}): the manifest id of a
 *               downloaded model, the given name of a registered folder
 * @param folder the model folder
 * @param origin the manifest id it was downloaded as, or {@value #LOCAL} for a registered folder
 */
public record InstalledModel(String name, Path folder, String origin) {
    public static final String LOCAL = "local";

    public boolean local() {
        return LOCAL.equals(origin);
    }
}
