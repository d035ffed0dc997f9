package org.clipwsss.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.clipwsss.runtime.image.ClipPreprocessor;
import org.clipwsss.runtime.image.ImageFiles;
import org.clipwsss.runtime.io.NpyArray;

/** Reads and preprocesses image files into one [N,3,S,S] batch. */
final class Images {
    private Images() {
    }

    static NpyArray pixels(ClipPreprocessor pre, List<Path> files) {
        List<float[]> each = new ArrayList<>();
        for (Path f : files) {
            each.add(pre.preprocess(ImageFiles.read(f)));
        }
        int s = pre.size();
        int per = 3 * s * s;
        float[] all = new float[files.size() * per];
        for (int i = 0; i < each.size(); i++) {
            System.arraycopy(each.get(i), 0, all, i * per, per);
        }
        return NpyArray.ofFloats(all, files.size(), 3, s, s);
    }
}
