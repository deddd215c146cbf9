package org.lilnet.bench.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatsTest {

    @Test
    void percentilesInterpolateBetweenRanks() {
        List<Double> values = List.of(5.0, 1.0, 4.0, 2.0, 3.0);   // sorted 1..5, ranks 0..4
        assertEquals(3.0, Stats.percentile(values, 50), 1e-12);
        assertEquals(1.0, Stats.percentile(values, 0), 1e-12);
        assertEquals(5.0, Stats.percentile(values, 100), 1e-12);
        assertEquals(4.8, Stats.percentile(values, 95), 1e-12);   // rank 3.8: 4 + 0.8 x (5 - 4)
        assertEquals(2.5, Stats.percentile(List.of(1, 2, 3, 4), 50), 1e-12);   // even count: mean of the middle two
        assertEquals(7.0, Stats.percentile(List.of(7), 95), 1e-12);
        assertTrue(Double.isNaN(Stats.percentile(List.<Double>of(), 50)));
        assertThrows(IllegalArgumentException.class, () -> Stats.percentile(values, 101));
    }

    @Test
    void meanMinMax() {
        assertEquals(2.5, Stats.mean(List.of(1, 2, 3, 4)), 1e-12);
        assertEquals(1.0, Stats.min(List.of(3, 1, 2)), 1e-12);
        assertEquals(3.0, Stats.max(List.of(3, 1, 2)), 1e-12);
        assertTrue(Double.isNaN(Stats.mean(List.<Double>of())));
    }

    @Test
    void aStraightLineFitsExactly() {
        // cost of a study = 2 s + 0.5 s per slice
        Stats.LinearFit fit = Stats.linearFit(List.of(50, 200, 800), List.of(27.0, 102.0, 402.0));
        assertEquals(0.5, fit.slope(), 1e-12);
        assertEquals(2.0, fit.intercept(), 1e-9);
        assertEquals(1.0, fit.rSquared(), 1e-12);
        assertEquals(52.0, fit.at(100), 1e-9);
    }

    @Test
    void aCurveFitsWorseThanALine() {
        // quadratic growth: y = x^2 at 1, 2, 3, 4 -> least squares slope 5, intercept -5, r^2 = 0.969
        Stats.LinearFit fit = Stats.linearFit(List.of(1, 2, 3, 4), List.of(1, 4, 9, 16));
        assertEquals(5.0, fit.slope(), 1e-12);
        assertEquals(-5.0, fit.intercept(), 1e-12);
        assertEquals(625.0 / 645.0, fit.rSquared(), 1e-12);   // sxy^2 / (sxx syy) = 25^2 / (5 x 129)
        assertThrows(IllegalArgumentException.class, () -> Stats.linearFit(List.of(1), List.of(1)));
        assertThrows(IllegalArgumentException.class, () -> Stats.linearFit(List.of(2, 2), List.of(1, 3)));
    }
}
