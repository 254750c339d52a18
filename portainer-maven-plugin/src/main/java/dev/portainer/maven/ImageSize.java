package dev.portainer.maven;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * An image's size as {@code docker images} shows it ({@code units.HumanSizeWithPrecision(size, 3)}): 3 significant
 * digits, powers of 1000.
 */
final class ImageSize {
    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};

    private ImageSize() {
    }

    /** E.g. {@code 1.24MB} for 1 240 000 bytes. (Where Go's {@code %.3g} turns to exponents, 1000kB, this does not.) */
    static String human(long bytes) {
        double size = bytes;
        int unit = 0;
        while (size >= 1000 && unit < UNITS.length - 1) {
            size /= 1000;
            unit++;
        }
        return new BigDecimal(size).round(new MathContext(3)).stripTrailingZeros().toPlainString() + UNITS[unit];
    }
}
