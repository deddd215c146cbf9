package org.lilnet.phantom;

import org.lilnet.events.Phase;
import org.lilnet.phantom.render.Solid;

import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import static org.lilnet.phantom.TissueTable.u;

/**
 * Draws a study: patient, scanner, series with their timing and geometry, and the lesions (placed inside the liver
 * and inside every series' coverage). Study {@code index} of a seed is the same whatever the number of studies.
 */
final class StudyPlanner {

    private static final double[] COMMON_THICKNESS = {0.625, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 5.0};
    private static final List<String> SURNAMES = List.of("WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHAO", "WU", "ZHOU",
            "XU", "SUN", "MA", "ZHU", "HU", "GUO", "HE", "LIN", "SMITH", "MUELLER", "ROSSI", "GARCIA", "NGUYEN", "KIM");
    private static final List<String> SYLLABLES = List.of("WEI", "FANG", "MIN", "JUN", "LEI", "YAN", "HUI", "QIANG", "LING", "TAO",
            "JING", "PING", "HAO", "XIN", "YU", "MEI", "JIE", "BIN", "NA", "KAI");
    private static final List<String> STUDY_DESCRIPTIONS = List.of("CT ABDOMEN W/WO CONTRAST", "Liver 3-phase", "肝脏三期增强",
            "CT Upper Abdomen Enhanced", "上腹部增强CT", "ABD LIVER MULTIPHASE");
    private static final List<String> AGENTS = List.of("Omnipaque 350", "Iopamiro 370", "Ultravist 370", "Visipaque 320", "碘海醇 350",
            "Iomeron 400");

    private StudyPlanner() {
    }

    static long studySeed(long seed, int index) {
        long h = seed * 0x9E3779B97F4A7C15L + index * 0xC2B2AE3D27D4EB4FL + 0x165667B19E3779F9L;
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }

    static StudyPlan plan(PhantomOptions options, long seed, int index) {
        SplittableRandom root = new SplittableRandom(studySeed(seed, index));
        SplittableRandom anatomyRng = root.split();
        SplittableRandom lesionRng = root.split();
        SplittableRandom seriesRng = root.split();
        SplittableRandom headerRng = root.split();

        LesionClass patientClass = options.classMix().classOf(index, new SplittableRandom(seed).nextDouble());
        double apSeconds = u(seriesRng, 18, 40);
        double pvpSeconds = u(seriesRng, 55, 100);
        Patient patient = new Patient(anatomyRng, patientClass, apSeconds, pvpSeconds);
        Scanner scanner = Scanner.draw(headerRng);

        // identity
        boolean female = switch (patientClass) {
            case FNH -> headerRng.nextDouble() < 0.85;
            case HCC -> headerRng.nextDouble() < 0.2;
            case HEM -> headerRng.nextDouble() < 0.6;
            default -> headerRng.nextDouble() < 0.45;
        };
        int age = (int) Math.round(switch (patientClass) {
            case FNH -> u(headerRng, 20, 45);
            case HCC -> u(headerRng, 45, 78);
            case ICC -> u(headerRng, 50, 78);
            case MET -> u(headerRng, 45, 82);
            case HEM -> u(headerRng, 30, 65);
            case CYST -> u(headerRng, 35, 82);
        });
        LocalDate studyDate = LocalDate.of(2019, 1, 1).plusDays(headerRng.nextInt(6 * 365));
        LocalDate birthDate = studyDate.minusYears(age).minusDays(1 + headerRng.nextInt(360));
        String patientId = String.format(Locale.ROOT, "PH%07d", headerRng.nextInt(10_000_000));
        String patientName = Scanner.pick(headerRng, SURNAMES) + "^" + Scanner.pick(headerRng, SYLLABLES)
                + (headerRng.nextBoolean() ? Scanner.pick(headerRng, SYLLABLES) : "");
        String accession = String.format(Locale.ROOT, "A%08d", headerRng.nextInt(100_000_000));
        String studyUid = Uids.next(headerRng);
        String frameUid = Uids.next(headerRng);
        String studyDescription = Scanner.pick(headerRng, STUDY_DESCRIPTIONS);
        LocalTime studyTime = LocalTime.of(7 + headerRng.nextInt(10), headerRng.nextInt(60), headerRng.nextInt(60));

        // contrast: fully recorded (70%), start time with an empty agent (15%), or nothing in the header (15%)
        double contrastRoll = headerRng.nextDouble();
        boolean contrastTiming = contrastRoll < 0.85;
        String agent = contrastRoll < 0.7 ? Scanner.pick(headerRng, AGENTS) : null;

        // which series
        List<Phase> phases = new ArrayList<>();
        for (Phase p : new Phase[] {Phase.NON_CONTRAST, Phase.AP, Phase.PVP, Phase.DELAYED}) {
            boolean extra = options.randomExtraPhases() && switch (p) {
                case NON_CONTRAST -> seriesRng.nextDouble() < 0.35;
                case DELAYED -> seriesRng.nextDouble() < 0.25;
                default -> false;
            };
            if (options.phases().contains(p) || extra) {
                phases.add(p);
            }
        }
        boolean localizer = seriesRng.nextDouble() < options.localizerProbability();

        // geometry: one field of view for the study, chosen to fit the body
        double pixelSpacing = Math.max(0.6, Math.min(0.9, Math.round(2 * patient.bodyA * u(seriesRng, 1.08, 1.3) / 512 * 1000) / 1000.0));
        double x0 = -255.5 * pixelSpacing;
        double y0 = -255.5 * pixelSpacing + u(seriesRng, -12, 12);
        double target = patient.liverTopZ - patient.liverBottomZ + 30;
        double sharedThickness = thickness(options, seriesRng, target);
        double coverageCenter = patient.liverCenterZ + u(seriesRng, -8, 8);

        LocalTime contrastStart = studyTime.plusSeconds(240 + seriesRng.nextInt(300));
        List<SeriesPlan> series = new ArrayList<>();
        int number = seriesRng.nextDouble() < 0.7 ? 1 : 100;
        int step = number == 100 ? 100 : 1;
        int n = options.slicesPerSeries();
        if (localizer) {
            series.add(new SeriesPlan(Phase.UNKNOWN, true, number, Uids.next(headerRng), Scanner.pick(headerRng, List.of("Topogram", "Scout", "定位像", "SURVIEW")),
                    1.0, 0, 1, -(contrastStart.toSecondOfDay() - studyTime.toSecondOfDay()) + 10, studyTime.plusSeconds(10), 4, 0, headerRng.nextLong()));
        }
        number += step;
        for (Phase phase : phases) {
            double t = !Double.isNaN(options.thicknessMinMm()) && seriesRng.nextDouble() < 0.3
                    ? thickness(options, seriesRng, target) : sharedThickness;
            double center = coverageCenter + u(seriesRng, -3, 3);
            double firstZ = center - (n - 1) / 2.0 * t;
            double after = switch (phase) {
                case NON_CONTRAST -> -u(seriesRng, 60, 200);
                case AP -> apSeconds;
                case PVP -> pvpSeconds;
                case DELAYED -> u(seriesRng, 180, 300);
                default -> 0;
            };
            double scanSeconds = Math.max(2, Math.min(15, n * t / u(seriesRng, 35, 60)));
            LocalTime start = contrastStart.plusNanos(Math.round(after * 1e9));
            String description = SeriesDescriptions.draw(headerRng, phase, t, contrastTiming);
            double baseSigma = u(seriesRng, 9, 14);
            double sigma = Math.max(8, Math.min(20, baseSigma * Math.sqrt(5 / t)));
            series.add(new SeriesPlan(phase, false, number, Uids.next(headerRng), description, t, firstZ, n,
                    after, start, scanSeconds, sigma, headerRng.nextLong()));
            number += step;
        }

        placeLesions(options, lesionRng, patient, series);

        int kvp = Scanner.pick(headerRng, List.of(100, 120, 120, 120, 140));
        int mA = 150 + headerRng.nextInt(350);
        return new StudyPlan(index, seed, patient, scanner, patientId, patientName, birthDate, female ? "F" : "M", age, studyUid,
                accession, frameUid, studyDate, studyTime, studyDescription, "Phantom General Hospital", "CT" + (1 + headerRng.nextInt(6)),
                contrastTiming ? agent : null, contrastTiming ? contrastStart : null, u(headerRng, 70, 110),
                Math.round(u(headerRng, 2.5, 5) * 10) / 10.0, pixelSpacing, x0, y0, kvp, mA, series);
    }

    /** A slice thickness: from the option's range, else the thinnest common value that covers the liver with n slices. */
    private static double thickness(PhantomOptions options, RandomGenerator rng, double targetCoverage) {
        if (!Double.isNaN(options.thicknessMinMm())) {
            List<Double> inRange = new ArrayList<>();
            for (double t : COMMON_THICKNESS) {
                if (t >= options.thicknessMinMm() - 1e-9 && t <= options.thicknessMaxMm() + 1e-9) {
                    inRange.add(t);
                }
            }
            if (!inRange.isEmpty()) {
                return inRange.get(rng.nextInt(inRange.size()));
            }
            return Math.round(u(rng, options.thicknessMinMm(), options.thicknessMaxMm()) * 10) / 10.0;
        }
        double wanted = targetCoverage / options.slicesPerSeries();
        for (double t : COMMON_THICKNESS) {
            if (t >= wanted) {
                return t;
            }
        }
        return 5.0;
    }

    /** How many lesions a patient of the class has, by default. */
    private static int lesionCount(RandomGenerator rng, LesionClass c, PhantomOptions options) {
        if (options.lesionCountMax() > 0) {
            return options.lesionCountMin() + rng.nextInt(options.lesionCountMax() - options.lesionCountMin() + 1);
        }
        double r = rng.nextDouble();
        return switch (c) {
            case HCC -> r < 0.7 ? 1 : r < 0.9 ? 2 : 3;
            case ICC -> r < 0.8 ? 1 : 2;
            case MET -> r < 0.2 ? 1 : 2 + rng.nextInt(7);
            case FNH -> r < 0.8 ? 1 : 2;
            case HEM -> r < 0.65 ? 1 : 2 + rng.nextInt(2);
            case CYST -> r < 0.45 ? 1 : 2 + rng.nextInt(4);
        };
    }

    private static void placeLesions(PhantomOptions options, RandomGenerator rng, Patient patient, List<SeriesPlan> series) {
        LesionClass c = patient.patientClass;
        int count = lesionCount(rng, c, options);
        double[] range = options.lesionSizeMaxMm() > 0 ? new double[] {options.lesionSizeMinMm(), options.lesionSizeMaxMm()}
                : LesionFactory.sizeRange(c);
        double style = rng.nextDouble();
        // z limits: inside every axial series' coverage wherever breathing puts the liver
        double zLow = -Double.MAX_VALUE;
        double zHigh = Double.MAX_VALUE;
        for (SeriesPlan s : series) {
            if (!s.localizer()) {
                double shift = patient.shift(s.phase())[2];
                zLow = Math.max(zLow, s.firstZ() - shift);
                zHigh = Math.min(zHigh, s.z(s.sliceCount() - 1) - shift);
            }
        }
        Solid liver = patient.liverShape(new double[3]);
        double[] b = liver.bounds();
        List<double[]> placed = new ArrayList<>(); // {x, y, z, r}
        for (int i = 0; i < count; i++) {
            double lo = Math.log(Math.max(3, range[0]));
            double hi = Math.log(Math.max(range[0], range[1]));
            double diameter = Math.exp(lo + (hi - lo) * rng.nextDouble());
            if (i > 0 && (c == LesionClass.HCC || c == LesionClass.ICC)) {
                diameter = Math.max(range[0], diameter * u(rng, 0.3, 0.6)); // satellites are smaller
            }
            diameter = Math.min(diameter, Math.max(5, zHigh - zLow - 6));
            double[] center = null;
            double[] deepest = null; // fallback: the deepest point seen inside the liver and the coverage
            double deepestDepth = 0;
            for (int attempt = 0; attempt < 600 && center == null; attempt++) {
                if (attempt > 0 && attempt % 100 == 0) {
                    diameter = Math.max(range[0] * 0.5, diameter * 0.8);
                }
                double r = diameter / 2;
                double[] p = {u(rng, b[0], b[1]), u(rng, b[2], b[3]), u(rng, Math.max(b[4], zLow + r + 2), Math.min(b[5], zHigh - r - 2))};
                if (Double.isNaN(p[2]) || p[2] - r - 2 < zLow || p[2] + r + 2 > zHigh
                        || placed.stream().anyMatch(q -> dist(p, q) < r + q[3] + 4)) {
                    continue;
                }
                double depth = -liver.distance(p[0], p[1], p[2]);
                if (depth > deepestDepth && p[2] - 5 > zLow && p[2] + 5 < zHigh) {
                    deepestDepth = depth;
                    deepest = p;
                }
                if (fits(liver, p, r)) {
                    center = p;
                }
            }
            if (center == null && deepest != null && deepestDepth > 3) {
                // a small or thin liver: the largest lesion that fits at the deepest place found
                center = deepest;
                diameter = Math.max(5, Math.min(diameter, 1.6 * deepestDepth));
            }
            if (center != null) {
                placed.add(new double[] {center[0], center[1], center[2], diameter / 2 * 1.25});
            }
            if (center != null) {
                patient.lesions.add(LesionFactory.draw(rng, patient.lesions.size() + 1, c, diameter, center, patient.tissues, style));
            }
        }
        if (patient.lesions.isEmpty()) {
            throw new IllegalStateException("no lesion could be placed in the liver of this patient (coverage " + zLow + ".." + zHigh + ")");
        }
    }

    /** The lesion's sphere, shrunk a little, lies inside the liver (lesions may bulge slightly at the surface). */
    private static boolean fits(Solid liver, double[] p, double r) {
        if (liver.distance(p[0], p[1], p[2]) > -r * 0.5) {
            return false;
        }
        double k = r * 0.85;
        for (int i = -1; i <= 1; i++) {
            for (int j = -1; j <= 1; j++) {
                for (int l = -1; l <= 1; l++) {
                    if (i == 0 && j == 0 && l == 0) {
                        continue;
                    }
                    double norm = Math.sqrt(i * i + j * j + l * l);
                    if (liver.distance(p[0] + k * i / norm, p[1] + k * j / norm, p[2] + k * l / norm) > 0) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static double dist(double[] a, double[] b) {
        double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
        return Math.sqrt(dx * dx + dy * dy + dz * dz);
    }
}
