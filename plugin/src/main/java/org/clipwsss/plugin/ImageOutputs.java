package org.clipwsss.plugin;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import ij.plugin.LutLoader;
import ij.plugin.filter.ThresholdToSelection;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;
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
