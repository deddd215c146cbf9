package org.lilnet.bench.report;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TargetTest {

    @Test
    void aMissThatRoundsToTheTargetIsShownWithOneMoreDigit() {
        Target justBelow = Target.atLeast("ratio", 0.8983, 0.90, "");

        assertThat(justBelow.met()).isFalse();
        assertThat(justBelow.measuredText()).isEqualTo("0.898");
        assertThat(justBelow.status()).isEqualTo("MISSED by 0.002 (0.2%)");
    }

    @Test
    void otherFiguresKeepTheirUsualDigits() {
        assertThat(Target.atLeast("ratio", 0.82, 0.90, "").status()).isEqualTo("MISSED by 0.08 (9%)");
        assertThat(Target.atLeast("ratio", 0.82, 0.90, "").measuredText()).isEqualTo("0.82");
        assertThat(Target.atLeast("ratio", 0.9004, 0.90, "").measuredText()).isEqualTo("0.90");
        assertThat(Target.atLeast("ratio", 0.9004, 0.90, "").status()).isEqualTo("met");
    }
}
