package org.clipwsss.plugin.gui;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.WindowManager;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.Window;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * The GUI check (run under Xvfb by bin/gui-check): starts ImageJ with the plugin's commands, opens a photo,
 * runs the CAM and pseudo-mask commands with recorded-macro options, and saves screenshots of
 * the result windows to the folder given (target/gui). Exits non-zero if a result window does not appear.
 */
public final class GuiScreenshot {
    private GuiScreenshot() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "target/gui");
        Files.createDirectories(out);
        String model = Path.of("onnx-models/clip-tiny").toAbsolutePath().toString();
        new ImageJ();
        ImagePlus imp = IJ.openImage(Path.of("src/test/resources/voc-sample/JPEGImages/2007_001763.jpg").toString());
        imp.show();
        IJ.wait(500);
        asMacro(new org.clipwsss.plugin.ij1.CamsPlugIn(), "labels=[cat;dog] model=[" + model + "]");
        capture("CAMs of 2007_001763.jpg", out.resolve("cams.png"));
        WindowManager.setCurrentWindow(imp.getWindow());
        asMacro(new org.clipwsss.plugin.ij1.PseudoMaskPlugIn(), "labels=[cat;dog;sofa] model=[" + model + "] table");
        capture("Mask of 2007_001763.jpg", out.resolve("mask.png"));
        capture("ImageJ", out.resolve("imagej.png"));
        System.out.println("GUI check: 3 screenshots in " + out.toAbsolutePath());
        System.exit(0);
    }

    /**
     * Runs a command as the menu would, with the options a recorded macro would give (ImageJ passes macro
     * options only to threads named like its own command threads, "Run$_...").
     */
    private static void asMacro(ij.plugin.PlugIn command, String options) throws InterruptedException {
        Thread t = new Thread(() -> {
            ij.Macro.setOptions(options);
            try {
                command.run("");
            } finally {
                ij.Macro.setOptions(null);
            }
        }, "Run$_gui-check");
        t.start();
        t.join();
    }

    private static void capture(String title, Path file) throws Exception {
        Window w = null;
        for (int i = 0; i < 600 && w == null; i++) {
            for (Window candidate : Window.getWindows()) {
                if (candidate.isShowing() && candidate instanceof java.awt.Frame f && f.getTitle().startsWith(title)) {
                    w = candidate;
                }
            }
            IJ.wait(100);
        }
        if (w == null) {
            System.err.println("GUI check: no window '" + title + "' appeared; windows: "
                    + java.util.Arrays.stream(Window.getWindows()).filter(Window::isShowing)
                            .map(x -> x instanceof java.awt.Frame f ? f.getTitle() : x.getClass().getSimpleName()).toList()
                    + "\nlog: " + IJ.getLog());
            System.exit(1);
        }
        w.toFront();
        IJ.wait(700);
        Rectangle r = w.getBounds();
        BufferedImage shot = new Robot().createScreenCapture(r);
        ImageIO.write(shot, "png", file.toFile());
        System.out.println("GUI check: " + title + " -> " + file + " (" + r.width + "x" + r.height + ")");
    }
}
