package org.clipwsss.runtime.image;

/** The resampling filters of {@link PilResize}, numbered as PIL's {@code Image.Resampling}. */
public enum ResampleFilter {
    /** Triangle filter, PIL code 2. */
    BILINEAR(2, 1.0) {
        @Override
        double weight(double x) {
            x = Math.abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    },
    /** Keys cubic convolution with a = -0.5, PIL code 3 (the one CLIP uses). */
    BICUBIC(3, 2.0) {
        @Override
        double weight(double x) {
            final double a = -0.5;
            x = Math.abs(x);
            if (x < 1.0) {
                return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
            }
            if (x < 2.0) {
                return (((x - 5) * x + 8) * x - 4) * a;
            }
            return 0.0;
        }
    };

    private final int pilCode;
    private final double support;

    ResampleFilter(int pilCode, double support) {
        this.pilCode = pilCode;
        this.support = support;
    }

    /** PIL's number for this filter (the {@code resample} field of a preprocessor config). */
    public int pilCode() {
        return pilCode;
    }

    /** Half-width of the filter kernel at scale 1. */
    double support() {
        return support;
    }

    /** The kernel value at distance {@code x}. */
    abstract double weight(double x);

    /**
     * The filter PIL numbers {@code code}.
     *
     * @throws IllegalArgumentException for codes other than 2 (bilinear) and 3 (bicubic)
     */
    public static ResampleFilter fromPilCode(int code) {
        for (ResampleFilter f : values()) {
            if (f.pilCode == code) {
                return f;
            }
        }
        throw new IllegalArgumentException("unsupported resample " + code
                + " (supported: 2 = bilinear, 3 = bicubic)");
    }
}
