package org.lilnet.phantom.eval;

import org.lilnet.events.ClassProbabilities;
import org.lilnet.events.Diagnosis;
import org.lilnet.events.Lesion;
import org.lilnet.phantom.GroundTruth;
import org.lilnet.phantom.LesionClass;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The paper's evaluation of diagnoses against phantom ground truth, per patient: benign/malignant, the malignant
 * triad (M model, on malignant patients), the benign triad (B model, on benign patients), the deployed cascade
 * (BM, then the subtype of its branch), accuracy by lesion size, and detection from the diagnosis' lesions (3D box
 * = largest box x slice range) against the true lesions of the arterial and portal venous series.
 */
public final class Evaluation {

    public static final double[] DETECTION_IOUS = {0.1, 0.3, 0.5};
    public static final String[] SIZE_BUCKETS = {"<1 cm", "1-3 cm", "3-5 cm", ">5 cm"};
    static final List<String> BM = List.of("benign", "malignant");
    static final List<String> M = List.of("HCC", "ICC", "MET");
    static final List<String> B = List.of("FNH", "HEM", "CYST");

    /** One classification task: figures, intervals, confusion matrix. */
    public record Task(String name, List<String> labels, int patients, Scores scores, Map<String, Bootstrap.Interval> intervals,
                       int[][] confusion) {
    }

    /**
     * Detection at one IoU threshold. Counted per lesion and series (the arterial and the portal venous series each
     * hold every lesion once), and per lesion ("any phase": found in at least one of the two series). "Visible": only
     * the lesion-series in which the ground truth marks the lesion visible (its contrast to the liver reaches the
     * image noise; a lesion iso-attenuating in a phase cannot be found there). Intervals: bootstrap 95% over patients.
     */
    public record Detection(double iou, int trueLesions, int predictedLesions, int truePositives, double recall, double precision,
                            double f1, double recallAtLeast1cm, double lesionRecallAnyPhase, double lesionRecallAnyPhaseAtLeast1cm,
                            int trueLesionsAtLeast1cm, int visibleLesionsAtLeast1cm, double recallVisible, double recallVisibleAtLeast1cm,
                            Map<String, Bootstrap.Interval> intervals) {
    }

    /** Accuracy by the size of the patient's largest lesion. */
    public record SizeBucket(String name, int patients, double bmAccuracy, double cascadeAccuracy, Map<String, int[]> byClass) {
    }

    public record Report(int patients, int diagnosed, int withoutDiagnosis, int diagnosesWithoutTruth, Map<String, Integer> perClass,
                         Task bm, Task m, Task b, double cascadeAccuracy, int[][] cascadeConfusion, List<SizeBucket> bySize,
                         List<Detection> detection) {
    }

    private Evaluation() {
    }

    /**
     * @param truths    ground truth of every patient of the set
     * @param diagnoses diagnoses (any order; the highest version per case wins)
     * @param rounds    bootstrap resamples
     * @param seed      bootstrap seed
     */
    public static Report evaluate(List<GroundTruth> truths, Collection<Diagnosis> diagnoses, int rounds, long seed) {
        Map<String, Diagnosis> latest = latestByCase(diagnoses);
        Set<String> known = new HashSet<>();
        truths.forEach(t -> known.add(t.studyInstanceUid()));
        int withoutTruth = (int) latest.keySet().stream().filter(k -> !known.contains(k)).count();
        int n = truths.size();
        int[] cls = new int[n];
        Diagnosis[] d = new Diagnosis[n];
        Map<String, Integer> perClass = new LinkedHashMap<>();
        for (LesionClass c : LesionClass.values()) {
            perClass.put(c.name(), 0);
        }
        int diagnosed = 0;
        for (int i = 0; i < n; i++) {
            cls[i] = truths.get(i).lesionClassValue().ordinal();
            perClass.merge(truths.get(i).patientClass(), 1, Integer::sum);
            d[i] = latest.get(truths.get(i).studyInstanceUid());
            diagnosed += d[i] == null ? 0 : 1;
        }
        // benign / malignant over everyone
        int[] yBm = new int[n];
        int[] pBm = new int[n];
        double[][] qBm = new double[n][];
        for (int i = 0; i < n; i++) {
            yBm[i] = cls[i] < 3 ? 1 : 0;
            double[] p = probabilities(d[i] == null ? null : d[i].getBm(), BM);
            pBm[i] = p == null ? -1 : argmax(p);
            qBm[i] = p == null ? new double[] {0.5, 0.5} : p;
        }
        Task bm = task("benign/malignant", BM, yBm, pBm, qBm, rounds, seed);
        Task m = triad("HCC/ICC/MET", M, true, cls, d, rounds, seed);
        Task b = triad("FNH/HEM/CYST", B, false, cls, d, rounds, seed);
        // the deployed cascade: the subtype reported on the branch BM chose
        int[] p6 = new int[n];
        int correct6 = 0;
        for (int i = 0; i < n; i++) {
            String subtype = d[i] == null ? null : d[i].getSubtype();
            p6[i] = subtype == null ? -1 : classIndex(subtype);
            correct6 += p6[i] == cls[i] ? 1 : 0;
        }
        List<SizeBucket> bySize = bySize(truths, cls, p6);
        return new Report(n, diagnosed, n - diagnosed, withoutTruth, perClass, bm, m, b, n == 0 ? Double.NaN : correct6 / (double) n,
                ClassificationMetrics.confusion(cls, p6, 6), bySize, detection(truths, d, rounds, seed));
    }

    static Map<String, Diagnosis> latestByCase(Collection<Diagnosis> diagnoses) {
        Map<String, Diagnosis> latest = new HashMap<>();
        for (Diagnosis x : diagnoses) {
            latest.merge(x.getCaseId(), x, (a, c) -> c.getVersion() >= a.getVersion() ? c : a);
        }
        return latest;
    }

    private static Task triad(String name, List<String> labels, boolean malignant, int[] cls, Diagnosis[] d, int rounds, long seed) {
        List<Integer> sel = new ArrayList<>();
        for (int i = 0; i < cls.length; i++) {
            if ((cls[i] < 3) == malignant) {
                sel.add(i);
            }
        }
        int[] y = new int[sel.size()];
        int[] p = new int[sel.size()];
        double[][] q = new double[sel.size()][];
        for (int k = 0; k < sel.size(); k++) {
            int i = sel.get(k);
            y[k] = cls[i] - (malignant ? 0 : 3);
            ClassProbabilities probs = d[i] == null ? null : malignant ? d[i].getM() : d[i].getB();
            double[] v = probabilities(probs, labels);
            p[k] = v == null ? -1 : argmax(v);
            q[k] = v == null ? new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0} : v;
        }
        return task(name, labels, y, p, q, rounds, seed);
    }

    private static Task task(String name, List<String> labels, int[] y, int[] p, double[][] q, int rounds, long seed) {
        int k = labels.size();
        return new Task(name, labels, y.length, ClassificationMetrics.scores(y, p, q, k), Bootstrap.intervals(y, p, q, k, rounds, seed),
                ClassificationMetrics.confusion(y, p, k));
    }

    /** Probabilities in the given label order (a model may list its labels in another order), or null. */
    static double[] probabilities(ClassProbabilities probs, List<String> labels) {
        if (probs == null) {
            return null;
        }
        double[] out = new double[labels.size()];
        for (int c = 0; c < labels.size(); c++) {
            int at = probs.getLabels().indexOf(labels.get(c));
            if (at < 0) {
                throw new IllegalArgumentException("diagnosis probabilities have labels " + probs.getLabels() + ", expected " + labels);
            }
            out[c] = probs.getProbabilities().get(at);
        }
        return out;
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    static int classIndex(String subtype) {
        try {
            return LesionClass.valueOf(subtype.trim().toUpperCase(Locale.ROOT)).ordinal();
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }

    static int bucket(double sizeMm) {
        return sizeMm < 10 ? 0 : sizeMm < 30 ? 1 : sizeMm < 50 ? 2 : 3;
    }

    private static List<SizeBucket> bySize(List<GroundTruth> truths, int[] cls, int[] p6) {
        List<SizeBucket> out = new ArrayList<>();
        for (int bIndex = 0; bIndex < SIZE_BUCKETS.length; bIndex++) {
            int n = 0, bmOk = 0, ok = 0;
            Map<String, int[]> byClass = new LinkedHashMap<>();
            for (LesionClass c : LesionClass.values()) {
                byClass.put(c.name(), new int[2]);
            }
            for (int i = 0; i < truths.size(); i++) {
                if (bucket(truths.get(i).largestLesionMm()) != bIndex) {
                    continue;
                }
                n++;
                boolean right = p6[i] == cls[i];
                ok += right ? 1 : 0;
                bmOk += p6[i] >= 0 && (p6[i] < 3) == (cls[i] < 3) ? 1 : 0;
                int[] cell = byClass.get(LesionClass.values()[cls[i]].name());
                cell[0] += right ? 1 : 0;
                cell[1]++;
            }
            out.add(new SizeBucket(SIZE_BUCKETS[bIndex], n, n == 0 ? Double.NaN : bmOk / (double) n, n == 0 ? Double.NaN : ok / (double) n,
                    byClass));
        }
        return out;
    }

    /** Per-patient detection counts at one threshold (summed over patients; resampled for the intervals). */
    private static final int TP = 0, TRUE = 1, PRED = 2, TP10 = 3, TRUE10 = 4, ANY_HIT = 5, ANY = 6, ANY_HIT10 = 7, ANY10 = 8,
            VIS_HIT = 9, VIS = 10, VIS_HIT10 = 11, VIS10 = 12, COUNTS = 13;

    private static List<Detection> detection(List<GroundTruth> truths, Diagnosis[] d, int rounds, long seed) {
        List<Detection> out = new ArrayList<>();
        for (double threshold : DETECTION_IOUS) {
            long[][] perPatient = new long[truths.size()][];
            for (int i = 0; i < truths.size(); i++) {
                perPatient[i] = detectionCounts(truths.get(i), d[i], threshold);
            }
            long[] sum = sum(perPatient, null);
            double recall = ratio(sum, TP, TRUE, 0);
            double precision = ratio(sum, TP, PRED, 0);
            Map<String, Bootstrap.Interval> intervals = new LinkedHashMap<>();
            String[] names = {"recall", "precision", "recallAtLeast1cm", "lesionRecallAnyPhaseAtLeast1cm", "recallVisible", "recallVisibleAtLeast1cm"};
            int[][] parts = {{TP, TRUE}, {TP, PRED}, {TP10, TRUE10}, {ANY_HIT10, ANY10}, {VIS_HIT, VIS}, {VIS_HIT10, VIS10}};
            List<double[]> samples = new ArrayList<>();
            java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
            int n = perPatient.length;
            for (int r = 0; r < rounds && n > 0; r++) {
                int[] pick = new int[n];
                for (int k = 0; k < n; k++) {
                    pick[k] = rng.nextInt(n);
                }
                long[] s = sum(perPatient, pick);
                double[] v = new double[names.length];
                for (int f = 0; f < names.length; f++) {
                    v[f] = ratio(s, parts[f][0], parts[f][1], Double.NaN);
                }
                samples.add(v);
            }
            for (int f = 0; f < names.length; f++) {
                int index = f;
                double[] v = samples.stream().mapToDouble(x -> x[index]).filter(x -> !Double.isNaN(x)).sorted().toArray();
                intervals.put(names[f], v.length == 0 ? new Bootstrap.Interval(Double.NaN, Double.NaN)
                        : new Bootstrap.Interval(Bootstrap.percentile(v, 2.5), Bootstrap.percentile(v, 97.5)));
            }
            out.add(new Detection(threshold, (int) sum[TRUE], (int) sum[PRED], (int) sum[TP], recall, precision,
                    recall + precision == 0 ? 0 : 2 * recall * precision / (recall + precision),
                    ratio(sum, TP10, TRUE10, Double.NaN), ratio(sum, ANY_HIT, ANY, Double.NaN), ratio(sum, ANY_HIT10, ANY10, Double.NaN),
                    (int) sum[TRUE10], (int) sum[VIS10], ratio(sum, VIS_HIT, VIS, Double.NaN), ratio(sum, VIS_HIT10, VIS10, Double.NaN), intervals));
        }
        return out;
    }

    private static long[] sum(long[][] perPatient, int[] pick) {
        long[] s = new long[COUNTS];
        int n = pick == null ? perPatient.length : pick.length;
        for (int k = 0; k < n; k++) {
            long[] c = perPatient[pick == null ? k : pick[k]];
            for (int j = 0; j < COUNTS; j++) {
                s[j] += c[j];
            }
        }
        return s;
    }

    private static double ratio(long[] s, int numerator, int denominator, double none) {
        return s[denominator] == 0 ? none : s[numerator] / (double) s[denominator];
    }

    /** One patient's detection counts: lesions of the arterial and portal venous series matched one to one by 3D IoU. */
    private static long[] detectionCounts(GroundTruth t, Diagnosis d, double threshold) {
        long[] c = new long[COUNTS];
        Set<Integer> hitLesions = new HashSet<>();
        for (GroundTruth.Series s : processedSeries(t)) {
            List<Box3d> predicted = new ArrayList<>();
            if (d != null) {
                for (Lesion l : d.getLesions()) {
                    if (l.getSeriesInstanceUid().equals(s.seriesInstanceUid())) {
                        predicted.add(new Box3d(l.getLargestBox().getX1(), l.getLargestBox().getY1(), l.getLargestBox().getX2(),
                                l.getLargestBox().getY2(), l.getFirstSliceIndex(), l.getLastSliceIndex()));
                    }
                }
            }
            List<Box3d> truthBoxes = new ArrayList<>();
            List<GroundTruth.Lesion> truthLesions = new ArrayList<>();
            List<GroundTruth.Extent> extents = new ArrayList<>();
            for (GroundTruth.Lesion lesion : t.lesions()) {
                GroundTruth.Extent e = lesion.extentIn(s.seriesInstanceUid());
                if (e != null) {
                    truthBoxes.add(new Box3d(e.box().x1(), e.box().y1(), e.box().x2(), e.box().y2(), e.firstSliceIndex(), e.lastSliceIndex()));
                    truthLesions.add(lesion);
                    extents.add(e);
                }
            }
            Set<Integer> matched = Box3d.match(predicted, truthBoxes, threshold);
            c[TP] += matched.size();
            c[TRUE] += truthBoxes.size();
            c[PRED] += predicted.size();
            for (int j = 0; j < truthLesions.size(); j++) {
                boolean hit = matched.contains(j);
                boolean large = truthLesions.get(j).sizeMm() >= 10;
                if (large) {
                    c[TRUE10]++;
                    c[TP10] += hit ? 1 : 0;
                }
                if (extents.get(j).countsAsVisible()) {
                    c[VIS]++;
                    c[VIS_HIT] += hit ? 1 : 0;
                    if (large) {
                        c[VIS10]++;
                        c[VIS_HIT10] += hit ? 1 : 0;
                    }
                }
                if (hit) {
                    hitLesions.add(truthLesions.get(j).lesionId());
                }
            }
        }
        for (GroundTruth.Lesion lesion : t.lesions()) {
            if (!lesion.extents().isEmpty()) {
                c[ANY]++;
                c[ANY_HIT] += hitLesions.contains(lesion.lesionId()) ? 1 : 0;
                if (lesion.sizeMm() >= 10) {
                    c[ANY10]++;
                    c[ANY_HIT10] += hitLesions.contains(lesion.lesionId()) ? 1 : 0;
                }
            }
        }
        return c;
    }

    /** The series LiLNet uses: the first arterial and the first portal venous axial series. */
    static List<GroundTruth.Series> processedSeries(GroundTruth t) {
        List<GroundTruth.Series> out = new ArrayList<>();
        for (String phase : List.of("AP", "PVP")) {
            t.series().stream().filter(s -> s.phase().equals(phase) && !s.localizer()).findFirst().ifPresent(out::add);
        }
        return out;
    }

    /** The report as text: tables in the paper's layout, percentages with 95% intervals. */
    public static String text(Report r) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "patients %d (%s); diagnosed %d, without diagnosis %d; diagnoses without ground truth %d%n",
                r.patients(), r.perClass().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).reduce((a, c) -> a + ", " + c).orElse(""),
                r.diagnosed(), r.withoutDiagnosis(), r.diagnosesWithoutTruth()));
        out.append(String.format(Locale.ROOT, "%n%-18s %4s  %-19s %-19s %-19s %-19s %-19s%n", "task", "n", "ACC", "AUC", "F1", "recall", "precision"));
        for (Task t : List.of(r.bm(), r.m(), r.b())) {
            out.append(String.format(Locale.ROOT, "%-18s %4d", t.name(), t.patients()));
            for (String f : new String[] {"ACC", "AUC", "F1", "recall", "precision"}) {
                out.append("  ").append(withInterval(t.scores().get(f), t.intervals().get(f)));
            }
            out.append('\n');
        }
        out.append("(F1, recall, precision weighted by class support as in the paper; macro averages:");
        for (Task t : List.of(r.bm(), r.m(), r.b())) {
            out.append(String.format(Locale.ROOT, " %s F1 %s recall %s precision %s;", t.name(), pct(t.scores().macroF1()),
                    pct(t.scores().macroRecall()), pct(t.scores().macroPrecision())));
        }
        out.append(")\n");
        for (Task t : List.of(r.bm(), r.m(), r.b())) {
            out.append(confusionText(t.name(), t.labels(), t.confusion()));
        }
        out.append(String.format(Locale.ROOT, "%ncascade (BM, then the subtype of its branch): accuracy %s%n", pct(r.cascadeAccuracy())));
        out.append(confusionText("six classes", List.of("HCC", "ICC", "MET", "FNH", "HEM", "CYST"), r.cascadeConfusion()));
        out.append(String.format(Locale.ROOT, "%naccuracy by largest lesion size (six classes, correct/n per class)%n%-8s %4s %6s %6s",
                "size", "n", "BM", "6-cl"));
        for (LesionClass c : LesionClass.values()) {
            out.append(String.format(Locale.ROOT, " %7s", c.name()));
        }
        out.append('\n');
        for (SizeBucket s : r.bySize()) {
            out.append(String.format(Locale.ROOT, "%-8s %4d %6s %6s", s.name(), s.patients(), pct(s.bmAccuracy()), pct(s.cascadeAccuracy())));
            for (int[] cell : s.byClass().values()) {
                out.append(String.format(Locale.ROOT, " %7s", cell[1] == 0 ? "-" : cell[0] + "/" + cell[1]));
            }
            out.append('\n');
        }
        out.append(String.format(Locale.ROOT, "%ndetection (lesions per series as 3D boxes: largest box x slice range)%n%-8s %6s %6s %6s %9s %10s %12s %6s %6s %6s %9s%n",
                "IoU", "recall", "prec.", "F1", "rec.>=1cm", "any phase", "any >=1cm", "true", "pred.", "vis.", "vis.>=1cm"));
        for (Detection x : r.detection()) {
            out.append(String.format(Locale.ROOT, "%-8.1f %6s %6s %6s %9s %10s %12s %6d %6d %6s %9s%n", x.iou(), pct(x.recall()), pct(x.precision()),
                    pct(x.f1()), pct(x.recallAtLeast1cm()), pct(x.lesionRecallAnyPhase()), pct(x.lesionRecallAnyPhaseAtLeast1cm()),
                    x.trueLesions(), x.predictedLesions(), pct(x.recallVisible()), pct(x.recallVisibleAtLeast1cm())));
        }
        out.append("(recall per lesion and series; any phase: per lesion, found in the arterial or the portal venous series; vis.: over the\n"
                + " lesion-series the ground truth marks visible, contrast to the liver at least the image noise)\n");
        out.append("intervals (bootstrap 95% over patients):\n");
        for (Detection x : r.detection()) {
            out.append(String.format(Locale.ROOT, "%-8.1f", x.iou()));
            x.intervals().forEach((name, ci) -> out.append(String.format(Locale.ROOT, " %s %s-%s;", name, pct(ci.low()), pct(ci.high()))));
            out.append('\n');
        }
        out.append(String.format(Locale.ROOT, "lesion-series >= 1 cm: %d, of which visible %d%n",
                r.detection().isEmpty() ? 0 : r.detection().get(0).trueLesionsAtLeast1cm(), r.detection().isEmpty() ? 0 : r.detection().get(0).visibleLesionsAtLeast1cm()));
        return out.toString();
    }

    static String confusionText(String name, List<String> labels, int[][] m) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%nconfusion %s (rows truth, columns prediction)%n%-10s", name, ""));
        for (String l : labels) {
            out.append(String.format(Locale.ROOT, " %9s", l));
        }
        out.append(String.format(Locale.ROOT, " %9s%n", "none"));
        for (int i = 0; i < m.length; i++) {
            out.append(String.format(Locale.ROOT, "%-10s", labels.get(i)));
            for (int v : m[i]) {
                out.append(String.format(Locale.ROOT, " %9d", v));
            }
            out.append('\n');
        }
        return out.toString();
    }

    static String withInterval(double v, Bootstrap.Interval ci) {
        return String.format(Locale.ROOT, "%-19s", pct(v) + (ci == null || Double.isNaN(ci.low()) ? "" : " (" + pct(ci.low()) + "-" + pct(ci.high()) + ")"));
    }

    static String pct(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", 100 * v);
    }
}
