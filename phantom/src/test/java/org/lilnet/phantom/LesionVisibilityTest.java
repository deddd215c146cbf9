package org.lilnet.phantom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lilnet.events.Phase;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ground truth's visibility flag: a lesion whose contrast to the liver is below the image noise in a phase (the
 * guide's iso-attenuating forms) is marked invisible in that series only, and the contrast is what the lesion's
 * prescribed attenuation makes of the liver around it.
 */
class LesionVisibilityTest {

    private static final PhantomOptions AP_PVP = PhantomOptions.defaults().withSlicesPerSeries(40).withPhases(EnumSet.of(Phase.AP, Phase.PVP))
            .withRandomExtraPhases(false).withLocalizerProbability(0).withLesionSize(20, 40).withLesionCount(1, 1);

    /** (extent in AP, extent in PVP) of every lesion of the first {@code n} studies of a class. */
    private static List<GroundTruth.Extent[]> extents(LesionClass c, String variant, int n, long seed) {
        PhantomGenerator generator = new PhantomGenerator(AP_PVP.withClassMix(ClassMix.of(Map.of(c, 1.0))));
        List<GroundTruth.Extent[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            GroundTruth t = generator.truthOf(seed, i);
            for (GroundTruth.Lesion l : t.lesions()) {
                if (variant == null || l.variant().equals(variant)) {
                    out.add(new GroundTruth.Extent[] {extent(t, l, "AP"), extent(t, l, "PVP")});
                }
            }
        }
        return out;
    }

    private static GroundTruth.Extent extent(GroundTruth t, GroundTruth.Lesion l, String phase) {
        String uid = t.series().stream().filter(s -> s.phase().equals(phase)).findFirst().orElseThrow().seriesInstanceUid();
        return l.extentIn(uid);
    }

    @Test
    void isoAttenuatingFormsAreInvisibleInThatPhaseOnly() {
        // FNH without a scar: strong arterial enhancement, about iso to the liver in the portal venous phase (the
        // generator keeps its PVP attenuation within 100-130 HU, so in a liver enhancing less it can stay visible)
        assertIsoInPvp(LesionClass.FNH, "no-scar", 40, AP_PVP);
        // HCC without washout (mostly under 2 cm): arterial hyperenhancement, iso in the portal venous phase
        assertIsoInPvp(LesionClass.HCC, "no-washout", 30, AP_PVP.withLesionSize(12, 19));
        // typical HCC (washout, often a capsule) and cysts (water in an enhancing liver) show in both phases
        for (GroundTruth.Extent[] e : extents(LesionClass.HCC, "typical", 8, 5)) {
            assertThat(e[0].visible() && e[1].visible()).as("typical HCC, contrast %s / %s", e[0].contrastHu(), e[1].contrastHu()).isTrue();
        }
        for (GroundTruth.Extent[] e : extents(LesionClass.CYST, null, 6, 5)) {
            assertThat(e[0].visible() && e[1].visible()).isTrue();
        }
    }

    /**
     * Every lesion of the form is visible in AP; at least half are invisible in PVP; and the flag never hides one whose prescribed
     * PVP attenuation differs from the liver's by the noise or more (invisible only where its class makes it iso).
     */
    private static void assertIsoInPvp(LesionClass c, String variant, int studies, PhantomOptions options) {
        PhantomGenerator generator = new PhantomGenerator(options.withClassMix(ClassMix.of(Map.of(c, 1.0))));
        int n = 0, invisible = 0;
        for (int i = 0; i < studies; i++) {
            GroundTruth t = generator.truthOf(5, i);
            GroundTruth.Series ap = t.series().stream().filter(s -> s.phase().equals("AP")).findFirst().orElseThrow();
            GroundTruth.Series pvp = t.series().stream().filter(s -> s.phase().equals("PVP")).findFirst().orElseThrow();
            for (GroundTruth.Lesion l : t.lesions()) {
                if (!l.variant().equals(variant)) {
                    continue;
                }
                GroundTruth.Extent a = l.extentIn(ap.seriesInstanceUid());
                GroundTruth.Extent p = l.extentIn(pvp.seriesInstanceUid());
                assertThat(a.visible()).as("%s %s in AP, contrast %s", c, variant, a.contrastHu()).isTrue();
                double prescribed = Math.abs(l.appearance().get("PVP").bodyHu() - pvp.tissueHu().get("LIVER"));
                if (!p.visible()) {
                    invisible++;
                    assertThat(prescribed).as("%s %s marked invisible in PVP, prescribed contrast %s, noise %s", c, variant, prescribed,
                            pvp.noiseSigmaHu()).isLessThan(pvp.noiseSigmaHu());
                }
                n++;
            }
        }
        assertThat(n).isGreaterThanOrEqualTo(3);
        assertThat(invisible).as("%s %s invisible in PVP, of %d", c, variant, n).isGreaterThanOrEqualTo((int) Math.ceil(0.5 * n));
    }

    @Test
    void contrastIsWhatThePrescribedAttenuationMakesOfTheLiverAndVisibleMeansAtLeastTheNoise() {
        PhantomGenerator generator = new PhantomGenerator(AP_PVP.withClassMix(ClassMix.of(Map.of(LesionClass.CYST, 1.0))));
        int checked = 0;
        for (int i = 0; i < 6; i++) {
            GroundTruth t = generator.truthOf(9, i);
            for (GroundTruth.Lesion l : t.lesions()) {
                for (GroundTruth.Series s : t.series()) {
                    GroundTruth.Extent e = l.extentIn(s.seriesInstanceUid());
                    if (e == null) {
                        continue;
                    }
                    // a homogeneous cyst of 2-4 cm: a 5 mm patch at its centre is all cyst, against the liver of the phase (the
                    // contrast is larger where it reaches beyond the liver or covers a vessel: fat or the vessel shows without it)
                    double expected = s.tissueHu().get("LIVER") - l.appearance().get(s.phase()).bodyHu();
                    assertThat(e.contrastHu()).as("cyst in %s", s.phase()).isGreaterThanOrEqualTo(expected - 12.0);
                    assertThat(e.visible()).isEqualTo(e.contrastHu() >= s.noiseSigmaHu());
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(12);
    }

    @Test
    void withoutNoiseEveryLesionThatChangesTheImageIsVisibleAndTheFlagIsWritten(@TempDir Path out) throws Exception {
        PhantomGenerator generator = new PhantomGenerator(AP_PVP.withSlicesPerSeries(16).withNoiseScale(0)
                .withClassMix(ClassMix.of(Map.of(LesionClass.FNH, 1.0))));
        GroundTruth t = generator.truthOf(5, 0);
        for (GroundTruth.Lesion l : t.lesions()) {
            for (GroundTruth.Extent e : l.extents()) {
                assertThat(e.contrastHu()).isPositive();
                assertThat(e.visible()).isTrue();
            }
        }
        Path dir = generator.writeTruth(5, 0, out);
        assertThat(Files.readString(dir.resolve(GroundTruth.FILE_NAME))).contains("\"visible\"").contains("\"contrastHu\"");
        GroundTruth read = GroundTruth.read(dir.resolve(GroundTruth.FILE_NAME));
        assertThat(read.lesions().get(0).extents()).extracting(GroundTruth.Extent::visible)
                .containsExactlyElementsOf(t.lesions().get(0).extents().stream().map(GroundTruth.Extent::visible).toList());
    }
}
