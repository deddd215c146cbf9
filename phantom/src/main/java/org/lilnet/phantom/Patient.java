package org.lilnet.phantom;

import org.lilnet.events.Phase;
import org.lilnet.phantom.render.Capsule;
import org.lilnet.phantom.render.Cylinder;
import org.lilnet.phantom.render.Ellipsoid;
import org.lilnet.phantom.render.HalfSpace;
import org.lilnet.phantom.render.Intersection;
import org.lilnet.phantom.render.Lobulation;
import org.lilnet.phantom.render.Lungs;
import org.lilnet.phantom.render.Material;
import org.lilnet.phantom.render.Ribs;
import org.lilnet.phantom.render.Solid;
import org.lilnet.phantom.render.Spine;
import org.lilnet.phantom.render.Structure;
import org.lilnet.phantom.render.Subtraction;
import org.lilnet.phantom.render.Union;
import org.lilnet.phantom.render.ValueNoise;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

import static org.lilnet.phantom.TissueTable.u;

/**
 * One synthetic patient's abdomen in patient coordinates (LPS, mm: +x left, +y posterior, +z head): body habitus,
 * liver (normal or cirrhotic), spine, aorta, IVC, portal and hepatic veins, kidneys, spleen, stomach, pancreas,
 * bowel, lung bases, and the lesions. Organs move with breathing between phases; the body wall and spine do not.
 */
final class Patient {

    final LesionClass patientClass;
    final boolean cirrhotic;
    final boolean ascites;
    final TissueTable tissues;
    final long textureSeed;
    // body
    final double bx, by, bodyA, bodyAnt, bodyPost, fat, muscle;
    final double cavA, cavAnt, cavPost;
    // spine and great vessels
    final double spineY, vertebraR, spinePitch, spinePhase, aortaX, aortaY, aortaR, ivcX, ivcY;
    // liver lobes {cx, cy, cz, a+, a-, b+, b-, c+, c-}
    final double[] rightLobe, leftLobe, caudate;
    final Lobulation liverLobes;
    final double nodularityMm;
    final double liverCenterZ, liverTopZ, liverBottomZ;
    // other organs
    final double[] kidneyR, kidneyL, spleen, stomach, gallbladder; // {cx, cy, cz, a, b, c, rotation}
    final List<double[]> bowel; // {x0,y0,z0,x1,y1,z1,r,contentKind,contentHu}
    final double[][] pancreas; // chain of points
    final double pancreasR;
    final double[][] portal, hepatic; // capsules {x0,y0,z0,x1,y1,z1,r0,r1}
    final double[] ribAngles, ribLowest;
    final double aortaCalcification;
    final Map<Phase, double[]> shifts = new EnumMap<>(Phase.class);
    final List<Lesion> lesions = new ArrayList<>();

    Patient(RandomGenerator rng, LesionClass patientClass, double apSeconds, double pvpSeconds) {
        this.patientClass = patientClass;
        // FNH occurs in normal livers; HCC mostly in cirrhotic ones
        double cirrhosisRate = switch (patientClass) {
            case HCC -> 0.7;
            case ICC -> 0.15;
            case FNH -> 0.0;
            default -> 0.08;
        };
        cirrhotic = rng.nextDouble() < cirrhosisRate;
        ascites = cirrhotic && rng.nextDouble() < 0.3;
        tissues = TissueTable.draw(rng, cirrhotic, apSeconds, pvpSeconds);
        textureSeed = rng.nextLong();

        // the abdominal cavity first, then the wall around it: an obese patient is larger, not more cramped
        bx = u(rng, -8, 8);
        by = u(rng, -10, 10);
        cavA = u(rng, 112, 145);
        cavAnt = cavA * u(rng, 0.62, 0.78);
        cavPost = cavAnt * u(rng, 0.88, 1.0);
        fat = u(rng, 8, 38);
        muscle = u(rng, 8, 14);
        bodyA = cavA + 0.9 * fat + muscle;
        bodyAnt = cavAnt + 1.2 * fat + muscle;
        bodyPost = cavPost + 0.8 * fat + muscle;

        vertebraR = u(rng, 16, 21);
        spineY = by + cavPost - vertebraR - u(rng, 28, 36);
        spinePitch = u(rng, 32, 37);
        spinePhase = u(rng, 0, spinePitch);
        aortaR = u(rng, 10, 13.5);
        aortaX = bx + u(rng, 10, 20);
        aortaY = spineY - vertebraR - aortaR - u(rng, 1, 4);
        ivcX = bx - u(rng, 20, 28);
        ivcY = spineY - vertebraR - u(rng, 8, 14);
        aortaCalcification = rng.nextDouble() < 0.2 ? u(rng, 0, 2 * Math.PI) : Double.NaN;

        // liver
        double zL = u(rng, -120, 120);
        double shrink = cirrhotic ? u(rng, 0.78, 0.9) : 1;
        double rx = bx - cavA * u(rng, 0.36, 0.46);
        double ry = by + u(rng, -8, 8);
        double lateral = Math.max(40, (rx - (bx - cavA)) - u(rng, 2, 6));
        double anterior = Math.min(u(rng, 68, 92), ry - (by - cavAnt) - 4);
        double posterior = Math.min(u(rng, 60, 80), by + cavPost - ry - 4);
        rightLobe = new double[] {rx, ry, zL, u(rng, 62, 85) * shrink, lateral, posterior, anterior,
                u(rng, 70, 95) * shrink, u(rng, 60, 95) * shrink};
        double grow = cirrhotic ? u(rng, 1.0, 1.2) : 1;
        double lx = bx + u(rng, 0, 25);
        double ly = by - cavAnt * u(rng, 0.42, 0.58);
        leftLobe = new double[] {lx, ly, zL + u(rng, 15, 35), u(rng, 45, 72) * grow, u(rng, 35, 50), u(rng, 22, 35) * grow,
                Math.max(18, Math.min(u(rng, 30, 45), ly - (by - cavAnt) - 4)) * grow, u(rng, 35, 50), u(rng, 30, 45)};
        double cg = cirrhotic ? 1.3 : 1;
        caudate = new double[] {ivcX + u(rng, 5, 15), ivcY - u(rng, 20, 30), zL + u(rng, 5, 20), 20 * cg, 20 * cg, 16 * cg, 16 * cg, 28, 25};
        liverLobes = Lobulation.random(rng, 2, 2, 4, u(rng, 0.02, 0.05), 0.01);
        nodularityMm = cirrhotic ? u(rng, 2, 4) : 0.6;
        liverTopZ = Math.max(rightLobe[2] + rightLobe[7], leftLobe[2] + leftLobe[7]);
        liverBottomZ = rightLobe[2] - rightLobe[8];
        liverCenterZ = (liverTopZ + liverBottomZ) / 2;

        // kidneys below the liver's middle, spleen on the left, stomach in front of it
        double kz = zL - u(rng, 45, 70);
        kidneyR = new double[] {bx - u(rng, 55, 70), spineY + u(rng, 0, 10), kz, u(rng, 25, 31), u(rng, 20, 25), u(rng, 45, 55), u(rng, -0.4, -0.1)};
        kidneyL = new double[] {bx + u(rng, 55, 70), spineY + u(rng, 0, 10), kz + u(rng, 10, 20), u(rng, 25, 31), u(rng, 20, 25), u(rng, 45, 55), u(rng, 0.1, 0.4)};
        double splenicScale = cirrhotic ? u(rng, 1.1, 1.35) : 1;
        spleen = new double[] {bx + cavA * u(rng, 0.6, 0.72), by + u(rng, 15, 35), zL + u(rng, 5, 25), u(rng, 16, 22) * splenicScale,
                u(rng, 36, 48) * splenicScale, u(rng, 40, 55) * splenicScale, u(rng, -1.1, -0.7)};
        stomach = new double[] {bx + u(rng, 30, 55), by - cavAnt * u(rng, 0.25, 0.45), zL + u(rng, 0, 25), u(rng, 32, 45),
                u(rng, 25, 33), u(rng, 38, 50), u(rng, 0.3, 0.7)};
        gallbladder = rng.nextDouble() < 0.65
                ? new double[] {rx + u(rng, 25, 40), ry - anterior * u(rng, 0.5, 0.7), zL - u(rng, 30, 50), u(rng, 12, 17), u(rng, 14, 20),
                u(rng, 25, 38), u(rng, 0.3, 0.8)}
                : null;
        pancreasR = u(rng, 9, 13);
        pancreas = new double[][] {
                {ivcX - u(rng, 5, 15), ivcY - u(rng, 25, 35), kz - u(rng, 0, 15)},
                {bx + u(rng, 0, 10), aortaY - aortaR - u(rng, 15, 22), kz + u(rng, 5, 15)},
                {spleen[0] - u(rng, 20, 35), spleen[1] - u(rng, 10, 25), kz + u(rng, 20, 35)}};
        bowel = new ArrayList<>();
        int loops = 10 + rng.nextInt(10);
        for (int i = 0; i < loops; i++) {
            double z = u(rng, liverBottomZ - 80, zL - 10);
            double a = u(rng, 0, 2 * Math.PI);
            double dist = u(rng, 0, 0.75);
            double x = bx + cavA * dist * Math.cos(a);
            double y = by - Math.abs(cavAnt * dist * Math.sin(a)) * 0.9 + 10;
            double len = u(rng, 15, 50);
            double ang = u(rng, 0, 2 * Math.PI);
            double tilt = u(rng, -0.8, 0.8);
            double r = u(rng, 8, 17);
            double kind = rng.nextInt(3); // 0 fluid, 1 air, 2 faeces
            double content = kind == 0 ? u(rng, 5, 30) : kind == 1 ? u(rng, -1000, -950) : u(rng, -120, 20);
            bowel.add(new double[] {x, y, z, x + len * Math.cos(ang), y + len * Math.sin(ang) * 0.6, z + len * tilt, r, kind, content});
        }

        // portal venous tree from the confluence behind the pancreas to the hilum and into both lobes
        double[] confluence = {bx + u(rng, -5, 5), aortaY - aortaR - u(rng, 22, 30), zL - u(rng, 30, 40)};
        double[] hilum = {rx + rightLobe[3] * u(rng, 0.35, 0.55), ry - u(rng, 0, 12), zL - u(rng, 5, 20)};
        double[] right = {rx - u(rng, 10, 25), ry + u(rng, -5, 10), zL - u(rng, -5, 10)};
        double[] left = {lx - u(rng, 0, 15), ly + u(rng, 0, 10), leftLobe[2] - u(rng, 5, 15)};
        double pr = u(rng, 6, 8);
        portal = new double[][] {
                seg(confluence, hilum, pr, pr * 0.9),
                seg(confluence, new double[] {confluence[0] + 5, confluence[1] - 5, zL - 140}, pr * 0.7, pr * 0.7), // SMV
                seg(confluence, new double[] {spleen[0] - 15, spleen[1] - 10, spleen[2] - 15}, 4.5, 4), // splenic vein
                seg(hilum, right, pr * 0.75, pr * 0.6),
                seg(right, new double[] {right[0] - u(rng, 20, 35), right[1] - u(rng, 20, 35), right[2] + u(rng, 10, 25)}, 4, 2),
                seg(right, new double[] {right[0] - u(rng, 15, 30), right[1] + u(rng, 20, 35), right[2] - u(rng, 15, 30)}, 4, 2),
                seg(hilum, left, pr * 0.6, pr * 0.5),
                seg(left, new double[] {left[0] + u(rng, 20, 35), left[1] - u(rng, 5, 15), left[2] + u(rng, 5, 20)}, 3, 1.8)};
        double[] ivcTop = {ivcX, ivcY, liverTopZ - u(rng, 12, 22)};
        hepatic = new double[][] {
                seg(ivcTop, new double[] {rx - u(rng, 20, 40), ry + u(rng, -10, 15), zL + u(rng, -10, 10)}, 6, 2.5),
                seg(ivcTop, new double[] {rx + u(rng, 10, 30), ry - u(rng, 30, 50), zL - u(rng, 0, 20)}, 5, 2),
                seg(ivcTop, new double[] {lx + u(rng, 0, 25), ly - u(rng, 0, 15), leftLobe[2] + u(rng, -5, 10)}, 4.5, 2)};

        ribAngles = new double[12];
        ribLowest = new double[12];
        for (int i = 0; i < 6; i++) {
            double off = Math.toRadians(-60 + 22 * i + u(rng, -5, 5));
            ribAngles[i] = off; // left side (angle 0 = patient left)
            ribAngles[6 + i] = Math.PI - off; // right side
            ribLowest[i] = zL - u(rng, 10, 50) + 8 * Math.abs(i - 3);
            ribLowest[6 + i] = zL - u(rng, 20, 60) + 8 * Math.abs(i - 3);
        }

        for (Phase p : Phase.values()) {
            shifts.put(p, new double[] {rng.nextGaussian() * 1.2, rng.nextGaussian() * 1.5, u(rng, -6, 6)});
        }
    }

    private static double[] seg(double[] a, double[] b, double r0, double r1) {
        return new double[] {a[0], a[1], a[2], b[0], b[1], b[2], r0, r1};
    }

    double[] shift(Phase phase) {
        return shifts.get(phase).clone();
    }

    /** The liver placed for a phase (no material), for placing lesions and clipping vessels. */
    Solid liverShape(double[] s) {
        return liver(s, Material.constant(0));
    }

    /**
     * Right, left and caudate lobes as one organ (a cirrhotic liver's surface is nodular), kept out of the space of
     * the spine, the aorta and the right kidney, which it lies against.
     */
    private Solid liver(double[] s, Material m) {
        ValueNoise surface = new ValueNoise(textureSeed ^ 0x2545F4914F6CDD1DL);
        Union lobes = new Union(m, 1.0, lobe(rightLobe, s, m), lobe(leftLobe, s, m), lobe(caudate, s, m))
                .nodular(surface, nodularityMm, cirrhotic ? 5 : 12, s);
        double big = 1e5;
        Solid spine = new Cylinder(bx, spineY + 10, vertebraR + 14, vertebraR + 14, vertebraR + 30, vertebraR + 8, -big, big, 0, 0,
                Material.constant(0), 1);
        Solid aorta = Cylinder.circle(aortaX, aortaY, aortaR + 4, -big, big, Material.constant(0), 1);
        Solid kidney = organ(kidneyR, s, 4, Material.constant(0), 1);
        return new Subtraction(lobes, m, 1.0, spine, aorta, kidney);
    }

    private Ellipsoid lobe(double[] l, double[] s, Material m) {
        return new Ellipsoid(new double[] {l[0] + s[0], l[1] + s[1], l[2] + s[2]}, new double[] {l[3], l[4], l[5], l[6], l[7], l[8]},
                0, liverLobes, m, 1.0);
    }

    private Ellipsoid organ(double[] o, double[] s, double grow, Material m, double edge) {
        return new Ellipsoid(new double[] {o[0] + s[0], o[1] + s[1], o[2] + s[2]},
                new double[] {Math.max(1, o[3] + grow), Math.max(1, o[4] + grow), Math.max(1, o[5] + grow)}, o[6], Lobulation.NONE, m, edge);
    }

    private static Capsule tube(double[] c, double[] s, Material m) {
        return new Capsule(new double[] {c[0] + s[0], c[1] + s[1], c[2] + s[2]}, new double[] {c[3] + s[0], c[4] + s[1], c[5] + s[2]},
                c[6], c[7], m, 0.8);
    }

    /** Everything to paint for a phase, in painting order. */
    List<Structure> scene(Phase phase) {
        return scene(phase, null);
    }

    /**
     * The scene of a phase without one lesion ({@code without}; null: the whole scene): what the slices would show if
     * that lesion were not there, for measuring what it adds to the image ({@link LesionVisibility}).
     */
    List<Structure> scene(Phase phase, Lesion without) {
        List<Structure> out = new ArrayList<>();
        double[] s = shift(phase);
        double big = 1e5;
        ValueNoise noise = new ValueNoise(textureSeed);
        ValueNoise noise2 = new ValueNoise(textureSeed * 31 + 7);
        double h = tissues.hu(Tissue.FAT, phase);
        // scanner table under the patient, then body: fat, muscle wall, visceral fat
        out.add(new Cylinder(bx, by + bodyPost + 22, 220, 220, 2.5, 2.5, -big, big, 0, 0, Material.constant(160), 0.8));
        out.add(new Cylinder(bx, by, bodyA, bodyA, bodyPost, bodyAnt, -big, big, liverCenterZ, -0.0006, Material.constant(h), 0.8));
        out.add(new Cylinder(bx, by, bodyA - 0.9 * fat, bodyA - 0.9 * fat, bodyPost - 0.8 * fat, bodyAnt - 1.2 * fat, -big, big,
                liverCenterZ, -0.0006, Material.constant(tissues.hu(Tissue.MUSCLE, phase)), 0.8));
        Cylinder cavity = new Cylinder(bx, by, cavA, cavA, cavPost, cavAnt, -big, big, liverCenterZ, -0.0006,
                Material.textured(h + 10, 15, 4, noise2, false), 0.8);
        out.add(cavity);
        Material muscleTissue = Material.textured(tissues.hu(Tissue.MUSCLE, phase), 5, 5, noise);
        out.add(new Cylinder(bx - 38, spineY + vertebraR + 20, 24, 24, 20, 18, -big, big, 0, 0, muscleTissue, 0.8));
        out.add(new Cylinder(bx + 38, spineY + vertebraR + 20, 24, 24, 20, 18, -big, big, 0, 0, muscleTissue, 0.8));
        out.add(new Cylinder(bx - 30, spineY - 2, 14, 14, 14, 14, -big, kidneyR[2], kidneyR[2], 0.004, muscleTissue, 0.8)); // psoas
        out.add(new Cylinder(bx + 30, spineY - 2, 14, 14, 14, 14, -big, kidneyR[2], kidneyR[2], 0.004, muscleTissue, 0.8));
        // lung bases above the diaphragm, heart on the left dome
        Cylinder cage = new Cylinder(bx, by, cavA - 3, cavA - 3, cavPost - 3, cavAnt - 3, -big, big, liverCenterZ, -0.0006, Material.constant(0), 1);
        double leftDome = liverTopZ - 14;
        out.add(new Lungs(cage, new double[][] {{rightLobe[0] + s[0], rightLobe[1] + 10 + s[1], liverTopZ + 3 + s[2]},
                {bx + cavA * 0.45, by + 10, leftDome + s[2]}}, 90, new double[] {bx + 5, by - cavAnt * 0.35, 48, cavAnt * 0.75},
                (x, y, z) -> {
                    double n = noise.at(x / 2.5, y / 2.5, z / 2.5);
                    return tissues.hu(Tissue.LUNG, phase) + 25 * n + (n > 0.8 ? 700 * (n - 0.8) * 5 : 0);
                }));
        out.add(organ(new double[] {bx + 25, by - cavAnt * 0.35, leftDome + 62, 60, 46, 45, -0.5}, s, 0,
                Material.constant(tissues.hu(Tissue.HEART, phase)), 1));
        // bowel loops: wall, then content (air rises anteriorly)
        for (double[] b : bowel) {
            out.add(new Capsule(new double[] {b[0] + s[0], b[1] + s[1], b[2] + s[2]}, new double[] {b[3] + s[0], b[4] + s[1], b[5] + s[2]},
                    b[6], b[6], Material.constant(tissues.hu(Tissue.BOWEL_WALL, phase)), 0.8));
            out.add(new Capsule(new double[] {b[0] + s[0], b[1] + s[1], b[2] + s[2]}, new double[] {b[3] + s[0], b[4] + s[1], b[5] + s[2]},
                    b[6] - 2.5, b[6] - 2.5, b[7] == 2 ? Material.textured(b[8], 60, 2, noise2) : Material.constant(b[8]), 0.8));
        }
        // stomach: enhancing wall, fluid, air cap
        Ellipsoid stomachInner = organ(stomach, s, -4, Material.constant(0), 0.8);
        out.add(organ(stomach, s, 0, Material.constant(tissues.hu(Tissue.STOMACH_WALL, phase)), 0.8));
        out.add(organ(stomach, s, -4, Material.textured(tissues.hu(Tissue.FLUID, phase) + 12, 8, 5, noise2), 0.8));
        out.add(new Intersection(stomachInner, new HalfSpace(stomach[1] + s[1] - stomach[4] * 0.4), Material.constant(-1000), 0.8));
        // kidneys: cortex, medulla, sinus fat
        for (double[] k : new double[][] {kidneyR, kidneyL}) {
            out.add(organ(k, s, 0, Material.constant(tissues.hu(Tissue.KIDNEY_CORTEX, phase)), 0.8));
            out.add(organ(k, s, -6, Material.textured(tissues.hu(Tissue.KIDNEY_MEDULLA, phase), 10, 4, noise), 1.5));
            double medial = Math.signum(bx - k[0]);
            out.add(organ(new double[] {k[0] + medial * k[3] * 0.55, k[1] - 4, k[2], k[3] * 0.35, k[4] * 0.4, k[5] * 0.45, k[6]}, s, 0,
                    Material.constant(h), 1.0));
        }
        double spleenTexture = phase == Phase.AP ? 20 : 3;
        out.add(organ(spleen, s, 0, Material.textured(tissues.hu(Tissue.SPLEEN, phase), spleenTexture, 7, noise2), 0.8));
        for (int i = 0; i + 1 < pancreas.length; i++) {
            out.add(new Capsule(add(pancreas[i], s), add(pancreas[i + 1], s), pancreasR, pancreasR * 0.85,
                    Material.textured(tissues.hu(Tissue.PANCREAS, phase), 12, 3, noise2), 1.0));
        }
        // liver (and ascites around it in some cirrhotic patients)
        Solid liverShape = liverShape(s);
        if (ascites) {
            double[] grow = {rightLobe[0], rightLobe[1], rightLobe[2], rightLobe[3] + 8, rightLobe[4] + 8, rightLobe[5] + 8, rightLobe[6] + 10,
                    rightLobe[7], rightLobe[8] + 10};
            out.add(new Intersection(lobe(grow, s, Material.constant(0)), cavity, Material.constant(tissues.hu(Tissue.FLUID, phase)), 1));
        }
        double liverTexture = cirrhotic ? 9 : 3;
        double liverFeature = cirrhotic ? 4 : 9;
        double liverHu = tissues.hu(Tissue.LIVER, phase);
        ValueNoise liverNoise = new ValueNoise(textureSeed ^ 0x5DEECE66DL);
        Material liver = (x, y, z) -> liverHu + liverTexture * liverNoise.fractal((x - s[0]) / liverFeature, (y - s[1]) / liverFeature,
                (z - s[2]) / liverFeature);
        out.add(liver(s, liver));
        if (gallbladder != null) {
            out.add(organ(gallbladder, s, 0, Material.constant(tissues.hu(Tissue.FLUID, phase) + 5), 0.8));
        }
        // veins: IVC (intrahepatic at the top), portal tree, hepatic veins (clipped to the liver)
        out.add(new Cylinder(ivcX + s[0], ivcY + s[1], 13, 13, 9, 10, kidneyR[2] - 80, liverTopZ - 15 + s[2], 0, 0,
                Material.constant(tissues.hu(Tissue.IVC, phase)), 0.8));
        Material portalVein = Material.constant(tissues.hu(Tissue.PORTAL_VEIN, phase));
        for (int i = 0; i < portal.length; i++) {
            Capsule c = tube(portal[i], s, portalVein);
            out.add(i < 3 ? c : new Intersection(c, liverShape, portalVein, 0.8));
        }
        Material hepaticVein = Material.constant(tissues.hu(Tissue.HEPATIC_VEIN, phase));
        for (double[] v : hepatic) {
            out.add(new Intersection(tube(v, s, hepaticVein), liverShape, hepaticVein, 0.8));
        }
        // lesions and what belongs to them (ICC: dilated ducts upstream)
        for (Lesion lesion : lesions) {
            for (double[] d : lesion.ducts) {
                double[] c = lesion.center;
                double[] seg = {c[0] + d[0], c[1] + d[1], c[2] + d[2], c[0] + d[3], c[1] + d[4], c[2] + d[5], d[6], d[6] * 0.6};
                Material bile = Material.constant(tissues.hu(Tissue.FLUID, phase) + 8);
                out.add(new Intersection(tube(seg, s, bile), liverShape, bile, 0.8));
            }
        }
        for (Lesion lesion : lesions) {
            if (lesion != without) {
                out.add(lesion.structure(phase, s));
            }
        }
        // aorta (with a calcified plaque in some), spine and ribs do not move with breathing
        out.add(Cylinder.circle(aortaX, aortaY, aortaR, -big, big, Material.constant(tissues.hu(Tissue.AORTA, phase)), 0.8));
        if (!Double.isNaN(aortaCalcification)) {
            out.add(Cylinder.circle(aortaX + aortaR * Math.cos(aortaCalcification), aortaY + aortaR * Math.sin(aortaCalcification), 1.8,
                    -big, big, Material.constant(700), 0.6));
        }
        out.add(new Spine(bx, spineY, vertebraR, spinePitch, 8, spinePhase, tissues.hu(Tissue.BONE_CORTEX, phase),
                tissues.hu(Tissue.BONE_MARROW, phase), tissues.hu(Tissue.DISC, phase), tissues.hu(Tissue.CSF, phase)));
        out.add(new Ribs(bx, by, cavA + muscle * 0.3, cavPost + muscle * 0.3, cavAnt + muscle * 0.3, ribAngles, ribLowest, liverCenterZ,
                tissues.hu(Tissue.BONE_CORTEX, phase), tissues.hu(Tissue.BONE_MARROW, phase)));
        return out;
    }

    private static double[] add(double[] p, double[] s) {
        return new double[] {p[0] + s[0], p[1] + s[1], p[2] + s[2]};
    }
}
