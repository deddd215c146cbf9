package org.lilnet.phantom;

import org.lilnet.events.Phase;
import org.lilnet.phantom.render.Canvas;
import org.lilnet.phantom.render.Ellipsoid;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ground truth from the same geometry the renderer paints: for every axial series and lesion, the slices where the
 * lesion shows (its mean cross-section over the slab reaches 45% of its diameter, at least 2.5 mm), the box of
 * the pixels it covers there, and whether its contrast to the liver around it reaches the image noise in that series
 * ({@link LesionVisibility}).
 */
final class TruthBuilder {

    static final String GENERATOR = "lilnet-phantom 1";

    private TruthBuilder() {
    }

    static GroundTruth build(StudyPlan study) {
        return build(study, 1.0);
    }

    /** @param noiseScale the generator's noise scale (the noise the slices are rendered with is the series' sigma times it) */
    static GroundTruth build(StudyPlan study, double noiseScale) {
        Patient patient = study.patient();
        List<GroundTruth.Series> series = new ArrayList<>();
        for (SeriesPlan s : study.series()) {
            Map<String, Double> tissues = new LinkedHashMap<>();
            if (!s.localizer()) {
                patient.tissues.phase(s.phase()).forEach((t, v) -> tissues.put(t.name(), round(v)));
            }
            series.add(new GroundTruth.Series(s.seriesInstanceUid(), s.seriesNumber(), s.phase().name(), s.localizer(), s.description(),
                    seriesDirectory(s), s.sliceCount(), s.thicknessMm(), s.firstZ(),
                    s.localizer() || study.contrastStart() == null ? null : round(s.secondsAfterContrast()),
                    study.contrastStart() != null && !s.localizer() && s.phase() != Phase.NON_CONTRAST,
                    round(s.noiseSigma()), s.localizer() ? null : roundAll(patient.shift(s.phase())), tissues.isEmpty() ? null : tissues));
        }
        List<GroundTruth.Lesion> lesions = new ArrayList<>();
        for (Lesion lesion : patient.lesions) {
            Map<String, GroundTruth.Appearance> appearance = new LinkedHashMap<>();
            Map<Phase, LesionLook> ordered = new EnumMap<>(Phase.class);
            for (Phase p : new Phase[] {Phase.NON_CONTRAST, Phase.AP, Phase.PVP, Phase.DELAYED}) {
                ordered.put(p, lesion.look(p));
            }
            ordered.forEach((p, look) -> appearance.put(p.name(), new GroundTruth.Appearance(round(look.body()), nullable(look.center()),
                    nullable(look.capsule()), round(look.texture()))));
            List<GroundTruth.Extent> extents = new ArrayList<>();
            for (SeriesPlan s : study.series()) {
                if (!s.localizer()) {
                    GroundTruth.Extent e = extent(study, s, lesion, noiseScale);
                    if (e != null) {
                        extents.add(e);
                    }
                }
            }
            lesions.add(new GroundTruth.Lesion(lesion.id(), lesion.lesionClass().name(), lesion.variant(), round(lesion.diameterMm()),
                    roundAll(lesion.center()), appearance, extents));
        }
        LesionClass c = patient.patientClass;
        return new GroundTruth(1, GENERATOR, study.seed(), study.index(), study.patientId(), study.patientName(), study.studyInstanceUid(),
                study.accessionNumber(), c.name(), c.malignancy(), patient.cirrhotic, study.scanner().manufacturer(), study.pixelSpacing(),
                series, lesions);
    }

    static String seriesDirectory(SeriesPlan s) {
        return String.format("series-%03d", s.seriesNumber());
    }

    private static GroundTruth.Extent extent(StudyPlan study, SeriesPlan s, Lesion lesion, double noiseScale) {
        double[] shift = study.patient().shift(s.phase());
        Ellipsoid shape = lesion.shape(shift);
        double[] b = shape.bounds();
        double sp = study.pixelSpacing();
        double diameter = lesion.diameterMm();
        List<GroundTruth.SliceBox> boxes = new ArrayList<>();
        for (int k = 0; k < s.sliceCount(); k++) {
            Canvas frame = new Canvas(1, sp, study.x0(), study.y0(), s.z(k), s.thicknessMm(), 0);
            if (b[5] < frame.subZ[0] - 1e-6 || b[4] > frame.subZ[frame.subZ.length - 1] + 1e-6) {
                continue;
            }
            int c0 = clamp((int) Math.floor((b[0] - study.x0()) / sp)), c1 = clamp((int) Math.ceil((b[1] - study.x0()) / sp));
            int r0 = clamp((int) Math.floor((b[2] - study.y0()) / sp)), r1 = clamp((int) Math.ceil((b[3] - study.y0()) / sp));
            int minC = Integer.MAX_VALUE, maxC = -1, minR = Integer.MAX_VALUE, maxR = -1;
            long area = 0;
            for (double z : frame.subZ) {
                for (int r = r0; r <= r1; r++) {
                    double y = study.y0() + r * sp;
                    for (int c = c0; c <= c1; c++) {
                        if (shape.normalisedRadius(study.x0() + c * sp, y, z) < 1) {
                            area++;
                            minC = Math.min(minC, c);
                            maxC = Math.max(maxC, c);
                            minR = Math.min(minR, r);
                            maxR = Math.max(maxR, r);
                        }
                    }
                }
            }
            double meanArea = area * sp * sp / frame.subZ.length;
            double equivalentDiameter = 2 * Math.sqrt(meanArea / Math.PI);
            if (maxC >= 0 && equivalentDiameter >= Math.max(0.45 * diameter, 2.5)) {
                boxes.add(new GroundTruth.SliceBox(k, new GroundTruth.Box(minC, minR, maxC + 1, maxR + 1)));
            }
        }
        if (boxes.isEmpty()) {
            return null;
        }
        double x1 = Double.MAX_VALUE, y1 = Double.MAX_VALUE, x2 = -1, y2 = -1;
        for (GroundTruth.SliceBox sb : boxes) {
            x1 = Math.min(x1, sb.box().x1());
            y1 = Math.min(y1, sb.box().y1());
            x2 = Math.max(x2, sb.box().x2());
            y2 = Math.max(y2, sb.box().y2());
        }
        double[] c = lesion.center();
        GroundTruth.SliceBox largest = boxes.get(0);
        for (GroundTruth.SliceBox sb : boxes) {
            if (sb.box().width() * sb.box().height() > largest.box().width() * largest.box().height()) {
                largest = sb;
            }
        }
        LesionVisibility.Measure seen = LesionVisibility.measure(study, s, lesion, largest.sliceIndex(), largest.box(),
                s.noiseSigma() * noiseScale);
        return new GroundTruth.Extent(s.seriesInstanceUid(), s.phase().name(), boxes.get(0).sliceIndex(),
                boxes.get(boxes.size() - 1).sliceIndex(), new GroundTruth.Box(x1, y1, x2, y2),
                round((c[0] + shift[0] - study.x0()) / sp), round((c[1] + shift[1] - study.y0()) / sp),
                round((c[2] + shift[2] - s.firstZ()) / s.thicknessMm()), boxes, round(seen.contrastHu()), seen.visible());
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(SliceRenderer.SIZE - 1, v));
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static Double nullable(double v) {
        return Double.isNaN(v) ? null : round(v);
    }

    private static double[] roundAll(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = round(v[i]);
        }
        return out;
    }
}
