package org.lilnet.detector;

import org.lilnet.events.WindowSetting;

/**
 * The Hounsfield window that renders a CT slice to 8 bits: {@code level - width/2} and below is black (0),
 * {@code level + width/2} and above white (255), linear in between, rounded half up. The contract's default is the
 * abdominal soft-tissue window, level 40, width 400 (-160..240 HU); the values used travel with every result.
 *
 * @param level window centre, HU
 * @param width window width, HU (positive)
 */
public record HuWindow(double level, double width) {

    public static final HuWindow ABDOMEN = new HuWindow(40, 400);

    public HuWindow {
        if (!(width > 0)) {
            throw new IllegalArgumentException("window width must be positive: " + width);
        }
    }

    /** The 8-bit value of a Hounsfield unit. */
    public int toByte(double hu) {
        double v = (hu - (level - width / 2)) / width * 255.0;
        if (v <= 0) {
            return 0;
        }
        if (v >= 255) {
            return 255;
        }
        return (int) Math.floor(v + 0.5);
    }

    public WindowSetting toEvent() {
        return WindowSetting.newBuilder().setLevel(level).setWidth(width).build();
    }
}
