package org.lilnet.phantom.render;

/** Attenuation of a tissue at a point (patient coordinates, mm), in HU for the phase the scene was built for. */
@FunctionalInterface
public interface Material {

    double hu(double x, double y, double z);

    static Material constant(double hu) {
        return (x, y, z) -> hu;
    }

    /** A base value with smooth texture of the given amplitude (HU) and feature size (mm). */
    static Material textured(double hu, double amplitude, double featureMm, ValueNoise noise) {
        return textured(hu, amplitude, featureMm, noise, true);
    }

    /** As above; without {@code fine}, one octave only (for large areas where grain does not matter). */
    static Material textured(double hu, double amplitude, double featureMm, ValueNoise noise, boolean fine) {
        if (amplitude == 0) {
            return constant(hu);
        }
        if (!fine) {
            return (x, y, z) -> hu + amplitude * noise.at(x / featureMm, y / featureMm, z / featureMm);
        }
        return (x, y, z) -> hu + amplitude * noise.fractal(x / featureMm, y / featureMm, z / featureMm);
    }
}
