package org.clipwsss;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Applies ij1-patcher's headless patches before any test loads an ImageJ1 class, as Fiji's imagej-legacy does
 * at start-up (the patches must come before {@code ij.IJ} is loaded, and tests share one JVM).
 */
public final class Ij1PatcherSessionListener implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        net.imagej.patcher.LegacyInjector.preinit();
    }
}
