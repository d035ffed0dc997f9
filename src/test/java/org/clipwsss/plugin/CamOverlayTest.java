package org.clipwsss.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.gui.TextRoi;
import ij.process.ColorProcessor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.clipwsss.runtime.cam.Cams;
import org.junit.jupiter.api.Test;

/** {@link ImageOutputs#camOverlay} and the {@code overlay} flag of the macro command "CLIP WSSS CAMs". */
class CamOverlayTest {
    private static ImagePlus photo(int w, int h) {
        ColorProcessor cp = new ColorProcessor(w, h);
        for (int i = 0; i < w * h; i++) {
            cp.set(i, 0x336699);
        }
        return new ImagePlus("photo.jpg", cp);
    }

    private static float[] ramp(int w, int h) {
        float[] m = new float[w * h];
        for (int i = 0; i < m.length; i++) {
            m[i] = (i % w) / (float) (w - 1);
        }
        return m;
    }

    private static List<String> texts(Overlay o) {
        List<String> out = new ArrayList<>();
        for (Roi r : o.toArray()) {
            if (r instanceof TextRoi t) {
                out.add(t.getText().trim());
            }
        }
        return out;
    }

    @Test
    void thePhotoWithTheMapHalfTransparentAndAColourBarWithTicks() {
        ImagePlus photo = photo(200, 150);
        ImagePlus out = ImageOutputs.camOverlay(photo, ramp(200, 150), 200, 150, "cat");

        assertEquals("CAM overlay of photo.jpg (cat)", out.getTitle());
        assertEquals(150, out.getHeight());
        assertTrue(out.getWidth() > 200, "a strip for the colour bar: " + out.getWidth());
        assertEquals(0x336699, out.getProcessor().get(10, 10) & 0xffffff, "the photo's pixels stay as they are");
        assertEquals(0xffffff, out.getProcessor().get(out.getWidth() - 1, 75) & 0xffffff, "a white strip");
        assertEquals(0x336699, photo.getProcessor().get(10, 10) & 0xffffff, "the input is not changed");
        assertEquals(200, photo.getWidth());

        Overlay o = out.getOverlay();
        ImageRoi heat = (ImageRoi) o.get(0);
        assertEquals(ImageOutputs.CAM_OPACITY, heat.getOpacity(), 1e-6);
        assertEquals(200, heat.getBounds().width);
        assertEquals(150, heat.getBounds().height);
        // the Fire LUT: 0 is black, 1 is white
        int left = heat.getProcessor().get(0, 0) & 0xffffff;
        int right = heat.getProcessor().get(199, 0) & 0xffffff;
        assertEquals(0x000000, left, Integer.toHexString(left));
        assertEquals(0xffffff, right, Integer.toHexString(right));

        assertEquals(List.of("cat", "1", "0.75", "0.5", "0.25", "0"), texts(o));
        boolean bar = false;
        for (Roi r : o.toArray()) {
            if (r instanceof ImageRoi i && "colour bar".equals(i.getName())) {
                bar = true;
                assertTrue(i.getBounds().x >= 200, "the bar is right of the photo");
                int top = i.getProcessor().get(0, 0) & 0xffffff;
                int bottom = i.getProcessor().get(0, i.getBounds().height - 1) & 0xffffff;
                assertEquals(0xffffff, top, "1 at the top");
                assertEquals(0x000000, bottom, "0 at the bottom");
            }
            assertTrue(r.getBounds().x + r.getBounds().width <= out.getWidth() + 1, r.getName() + " inside the image");
        }
        assertTrue(bar, "a colour bar");
    }

    @Test
    void aSmallerMapIsScaledToThePhotoAndALongLabelWidensTheStrip() {
        ImagePlus out = ImageOutputs.camOverlay(photo(200, 150), ramp(50, 30), 50, 30, "a rather long label name");
        ImageRoi heat = (ImageRoi) out.getOverlay().get(0);
        assertEquals(200, heat.getBounds().width);
        assertEquals(150, heat.getBounds().height);
        ImagePlus shortLabel = ImageOutputs.camOverlay(photo(200, 150), ramp(50, 30), 50, 30, "cat");
        assertTrue(out.getWidth() > shortLabel.getWidth(), out.getWidth() + " vs " + shortLabel.getWidth());
    }

    @Test
    void strongestIsTheMapWithTheHighestMean() {
        float[] weak = new float[] {1, 0, 0, 0};
        float[] strong = new float[] {0.5f, 0.5f, 0.5f, 0.5f};
        assertEquals(1, ImageOutputs.strongest(new Cams(2, 2, List.of("a", "b"), new float[][] {weak, strong})));
        assertEquals(0, ImageOutputs.strongest(new Cams(2, 2, List.of("a", "b"), new float[][] {strong, weak})));
    }

    /** Headless, the overlay (shown after the stack) is the macro's current image. */
    @Test
    void theMacroCommandShowsTheOverlayAfterTheStack() throws Exception {
        Ij1Macros.setUp();
        String image = Path.of("src/test/resources/voc-sample/JPEGImages/2007_001763.jpg").toAbsolutePath().toString();
        String tiny = Path.of("onnx-models/clip-tiny").toAbsolutePath().toString();
        Object result = IJ.runMacro("open(\"" + image + "\");\nrun(\"CLIP WSSS CAMs\", \"labels=[cat;dog] model=[" + tiny
                + "] overlay overlay_class=dog\");\nreturn getTitle() + \"|\" + getWidth() + \"|\" + Overlay.size + \"|\" + bitDepth();");
        String[] parts = String.valueOf(result).split("\\|");
        assertEquals("CAM overlay of 2007_001763.jpg (dog)", parts[0], String.valueOf(result));
        assertTrue(Integer.parseInt(parts[1]) > 500, "the photo and the colour bar strip: " + result);
        assertTrue(Integer.parseInt(parts[2]) > 5, "the map, the bar and its ticks in the overlay: " + result);
        assertEquals("24", parts[3], "RGB");

        String log = Ij1Macros.logOf(() -> IJ.runMacro("open(\"" + image + "\");\nrun(\"CLIP WSSS CAMs\", \"labels=[cat;dog] model=["
                + tiny + "] overlay overlay_class=sofa\");"));
        assertTrue(log.contains("CLIP WSSS CAMs: overlay_class 'sofa' is not one of the labels (cat;dog)"), log);

        Object plain = IJ.runMacro("open(\"" + image + "\");\nrun(\"CLIP WSSS CAMs\", \"labels=[cat;dog] model=[" + tiny
                + "]\");\nreturn getTitle();");
        assertEquals("CAMs of 2007_001763.jpg", plain, "without overlay, only the stack, as before");
        assertFalse(String.valueOf(plain).startsWith("CAM overlay"));
    }
}
