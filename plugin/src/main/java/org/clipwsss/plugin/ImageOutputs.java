package org.clipwsss.plugin;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.ImageRoi;
import ij.gui.Line;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.gui.TextRoi;
import ij.measure.ResultsTable;
import ij.plugin.LutLoader;
import ij.plugin.filter.ThresholdToSelection;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.IndexColorModel;
import java.util.ArrayList;
import java.util.List;
import org.clipwsss.runtime.cam.Cams;
import org.clipwsss.runtime.mask.LabelImage;
import org.clipwsss.runtime.mask.VocPalette;
import org.clipwsss.runtime.pipeline.ImageResult;
import org.clipwsss.runtime.select.SynonymScores;

/** Pipeline results as ImageJ images, ROIs and tables. */
public final class ImageOutputs {
    /** How opaque {@link #camOverlay} draws the map over the photo. */
    public static final double CAM_OPACITY = 0.5;

    private ImageOutputs() {
    }

    /** A 32-bit stack, one slice per label (named "label" or "label (synonym)"), with a heatmap LUT. */
    public static ImagePlus cams(String title, ImageResult r) {
        Cams c = r.cams();
        ImageStack stack = new ImageStack(c.width(), c.height());
        for (int k = 0; k < c.maps().length; k++) {
            String label = c.classes().get(k);
            String name = r.prompts().get(k).name();
            stack.addSlice(name.equals(label) ? label : label + " (" + name + ")",
                    new FloatProcessor(c.width(), c.height(), c.maps()[k].clone()));
        }
        ImagePlus imp = new ImagePlus(title, stack);
        imp.setDisplayRange(0, 1);
        IndexColorModel fire = LutLoader.getLut("fire");
        if (fire != null) {
            imp.getProcessor().setColorModel(fire);
        }
        imp.setProperty("Info", "CLIP WSSS class activation maps\nclasses=" + String.join(";", c.classes()));
        return imp;
    }

    /** The per-pixel maximum over the maps as a translucent heatmap overlay for the original image. */
    public static ij.gui.Overlay topClassOverlay(ImageResult r) {
        Cams c = r.cams();
        float[] max = new float[c.width() * c.height()];
        for (float[] m : c.maps()) {
            for (int i = 0; i < max.length; i++) {
                max[i] = Math.max(max[i], m[i]);
            }
        }
        FloatProcessor fp = new FloatProcessor(c.width(), c.height(), max);
        fp.setMinAndMax(0, 1);
        IndexColorModel fire = LutLoader.getLut("fire");
        if (fire != null) {
            fp.setColorModel(fire);
        }
        ij.gui.ImageRoi roi = new ij.gui.ImageRoi(0, 0, fp.convertToColorProcessor());
        roi.setOpacity(0.45);
        roi.setName("CLIP WSSS top class");
        return new ij.gui.Overlay(roi);
    }

    /** The index of the map with the highest mean activation (the label {@link #camOverlay} shows by default). */
    public static int strongest(Cams c) {
        int best = 0;
        double bestMean = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < c.maps().length; k++) {
            double sum = 0;
            for (float v : c.maps()[k]) {
                sum += v;
            }
            double mean = sum / Math.max(1, c.maps()[k].length);
            if (mean > bestMean) {
                bestMean = mean;
                best = k;
            }
        }
        return best;
    }

    /**
     * The photo (its current slice, as RGB) with one class activation map laid over it: the map, in [0,1], with
     * the Fire LUT as a half-transparent {@link ImageRoi}, and a colour bar on a white strip added to the right
     * of the photo: the label, a gradient from 1 (top) to 0 and ticks at 0, 0.25, ..., 1. Everything but the
     * photo and the strip is in the overlay (Image&gt;Overlay&gt;Flatten makes it pixels). A map of another size than
     * the photo is scaled to it.
     */
    public static ImagePlus camOverlay(ImagePlus photo, float[] cam, int width, int height, String label) {
        if (cam.length != width * height) {
            throw new IllegalArgumentException("map of " + cam.length + " values for " + width + "x" + height);
        }
        int w = photo.getWidth();
        int h = photo.getHeight();
        FloatProcessor map = new FloatProcessor(width, height, cam.clone());
        if (width != w || height != h) {
            map.setInterpolationMethod(ImageProcessor.BILINEAR);
            map = (FloatProcessor) map.resize(w, h);
        }
        map.setMinAndMax(0, 1);
        IndexColorModel fire = fire();
        map.setColorModel(fire);
        ImageRoi heat = new ImageRoi(0, 0, map.convertToColorProcessor());
        heat.setOpacity(CAM_OPACITY);
        heat.setName("CAM " + label);

        int fontSize = Math.max(10, Math.round(h / 28f));
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, fontSize);
        ColorProcessor measure = new ColorProcessor(1, 1);
        measure.setFont(font);
        measure.setAntialiasedText(true);
        int gap = Math.max(6, fontSize / 2);
        int barWidth = Math.max(10, fontSize);
        int tick = Math.max(3, fontSize / 3);
        int tickText = measure.getStringWidth("0.75");
        int margin = Math.max(gap + barWidth + tick + 3 + tickText + gap, 2 * gap + measure.getStringWidth(label));

        ColorProcessor canvas = new ColorProcessor(w + margin, h);
        canvas.setColor(Color.WHITE);
        canvas.fill();
        canvas.insert(photo.getProcessor().convertToRGB(), 0, 0);
        ImagePlus out = new ImagePlus("CAM overlay of " + photo.getTitle() + " (" + label + ")", canvas);

        Overlay overlay = new Overlay(heat);
        TextRoi title = new TextRoi(w + gap, gap / 2.0, label, font);
        title.setStrokeColor(Color.BLACK);
        title.setAntiAlias(true);
        title.setName("label");
        overlay.add(title);
        int barTop = gap / 2 + Math.round(fontSize * 1.6f) + fontSize / 2;
        int barBottom = h - 1 - Math.max(gap, fontSize / 2 + 2);
        int barHeight = Math.max(2, barBottom - barTop);
        FloatProcessor gradient = new FloatProcessor(barWidth, barHeight);
        for (int y = 0; y < barHeight; y++) {
            float v = 1f - y / (float) (barHeight - 1);
            for (int x = 0; x < barWidth; x++) {
                gradient.setf(x, y, v);
            }
        }
        gradient.setMinAndMax(0, 1);
        gradient.setColorModel(fire);
        int barX = w + gap;
        ImageRoi bar = new ImageRoi(barX, barTop, gradient.convertToColorProcessor());
        bar.setName("colour bar");
        overlay.add(bar);
        Roi frame = new Roi(barX, barTop, barWidth, barHeight);
        frame.setStrokeColor(Color.BLACK);
        frame.setName("colour bar frame");
        overlay.add(frame);
        String[] ticks = {"1", "0.75", "0.5", "0.25", "0"};
        for (int i = 0; i < ticks.length; i++) {
            double y = barTop + i * (barHeight - 1) / (double) (ticks.length - 1);
            Line line = new Line(barX + barWidth, y, barX + barWidth + tick, y);
            line.setStrokeColor(Color.BLACK);
            overlay.add(line);
            TextRoi t = new TextRoi(barX + barWidth + tick + 3, y - fontSize * 0.65, ticks[i], font);
            t.setStrokeColor(Color.BLACK);
            t.setAntiAlias(true);
            t.setName("tick " + ticks[i]);
            overlay.add(t);
        }
        out.setOverlay(overlay);
        out.setProperty("Info", "CLIP WSSS class activation map of '" + label + "' over " + photo.getTitle()
                + "\nopacity=" + CAM_OPACITY + "\nrange=0-1 (Fire)");
        return out;
    }

    private static IndexColorModel fire() {
        IndexColorModel fire = LutLoader.getLut("fire");
        return fire != null ? fire : LUT.createLutFromColor(Color.WHITE).getColorModel();
    }

    /** An 8-bit label image with the VOC palette; the class names are in the "Info" property. */
    public static ImagePlus mask(String title, LabelImage mask, List<String> classesWithBackground) {
        ByteProcessor bp = new ByteProcessor(mask.width(), mask.height(), mask.data().clone());
        IndexColorModel cm = VocPalette.colorModel();
        bp.setColorModel(cm);
        ImagePlus imp = new ImagePlus(title, bp);
        StringBuilder info = new StringBuilder("CLIP WSSS pseudo mask\n");
        for (int i = 0; i < classesWithBackground.size(); i++) {
            info.append(i).append('=').append(classesWithBackground.get(i)).append('\n');
        }
        imp.setProperty("Info", info.toString());
        imp.setProperty("clipwsss.classes", String.join(";", classesWithBackground));
        return imp;
    }

    /** One ROI per class value present in the mask (background excluded), named after the class. */
    public static List<Roi> rois(LabelImage mask, int[] values, List<String> names) {
        List<Roi> out = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            ByteProcessor bp = new ByteProcessor(mask.width(), mask.height(), mask.data().clone());
            bp.setThreshold(values[i], values[i], ImageProcessor.NO_LUT_UPDATE);
            Roi roi = ThresholdToSelection.run(new ImagePlus("", bp));
            if (roi != null) {
                roi.setName(names.get(i));
                out.add(roi);
            }
        }
        return out;
    }

    /** One row per class: area (pixels), mean CAM over its pixels, selected synonym and its probability. */
    public static ResultsTable table(ImageResult r, LabelImage mask, int[] values) {
        ResultsTable t = new ResultsTable();
        Cams c = r.cams();
        for (int k = 0; k < values.length; k++) {
            long area = 0;
            double camSum = 0;
            for (int i = 0; i < mask.width() * mask.height(); i++) {
                if ((mask.data()[i] & 0xff) == values[k]) {
                    area++;
                    camSum += c.maps()[k][i];
                }
            }
            t.incrementCounter();
            t.addValue("Class", c.classes().get(k));
            t.addValue("Value", values[k]);
            t.addValue("Area", area);
            t.addValue("Mean CAM", area == 0 ? 0 : camSum / area);
            t.addValue("Synonym", r.prompts().get(k).name());
            t.addValue("Probability", probability(r.selections(), c.classes().get(k)));
        }
        return t;
    }

    /** The candidates of every class with their scores. */
    public static ResultsTable synonyms(List<SynonymScores> scores) {
        ResultsTable t = new ResultsTable();
        for (SynonymScores s : scores) {
            for (int j = 0; j < s.candidates().size(); j++) {
                t.incrementCounter();
                t.addValue("Class", s.label());
                t.addValue("Candidate", s.candidates().get(j));
                t.addValue("Cosine", s.cosine()[j]);
                t.addValue("Probability", s.probability()[j]);
                t.addValue("Selected", s.candidates().get(j).equals(s.selected()) ? "yes" : "");
            }
        }
        return t;
    }

    private static double probability(List<SynonymScores> scores, String label) {
        for (SynonymScores s : scores) {
            if (s.label().equals(label)) {
                return s.selectedProbability();
            }
        }
        return Double.NaN;
    }
}
