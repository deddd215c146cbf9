package org.lilnet.phantom;

import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ClassMixTest {

    @Test
    void anyFirstStudiesFollowTheMixClosely() {
        ClassMix mix = ClassMix.PAPER;
        for (int n : new int[] {60, 200, 1000}) {
            Map<LesionClass, Integer> counts = new EnumMap<>(LesionClass.class);
            for (int i = 0; i < n; i++) {
                counts.merge(mix.classOf(i, 0.37), 1, Integer::sum);
            }
            for (LesionClass c : LesionClass.values()) {
                assertThat(counts.getOrDefault(c, 0) / (double) n).as(c + " of " + n).isCloseTo(mix.weight(c), within(3.0 / n + 0.01));
            }
        }
        assertThat(ClassMix.PAPER.weight(LesionClass.HCC)).isCloseTo(45 / 99.0, within(1e-9));
    }

    @Test
    void parsesNamedMixesSingleClassesAndWeights() {
        assertThat(ClassMix.parse("balanced").weight(LesionClass.FNH)).isCloseTo(1 / 6.0, within(1e-9));
        ClassMix cyst = ClassMix.parse("cyst");
        for (int i = 0; i < 20; i++) {
            assertThat(cyst.classOf(i, 0.5)).isEqualTo(LesionClass.CYST);
        }
        ClassMix two = ClassMix.parse("HCC=3, FNH=1");
        assertThat(two.weight(LesionClass.HCC)).isCloseTo(0.75, within(1e-9));
        assertThat(two.weight(LesionClass.ICC)).isZero();
        assertThatThrownBy(() -> ClassMix.parse("HCC=1,LIPOMA=2")).hasMessageContaining("LIPOMA");
    }
}
