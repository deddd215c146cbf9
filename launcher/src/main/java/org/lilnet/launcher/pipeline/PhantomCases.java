package org.lilnet.launcher.pipeline;

import org.lilnet.phantom.ClassMix;
import org.lilnet.phantom.GeneratedStudy;
import org.lilnet.phantom.LesionClass;
import org.lilnet.phantom.PhantomGenerator;
import org.lilnet.phantom.PhantomOptions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * A handful of phantom studies that covers the six lesion classes: study {@code k} is study {@code k} of the seed with
 * the patient's class forced to class {@code k mod 6} (HCC, ICC, MET, FNH, HEM, CYST), otherwise as the generator makes
 * them (arterial and portal venous series, sometimes a non-contrast or delayed series and a localizer).
 * {@code lilnet phantom --studies 1 --first k --seed S --class-mix CLASS} writes the same study.
 */
public final class PhantomCases {

    private PhantomCases() {
    }

    /** The class of study {@code k}. */
    public static LesionClass classOf(int k) {
        return LesionClass.values()[k % LesionClass.values().length];
    }

    /** Writes {@code count} studies under {@code out} on {@code threads} threads, telling {@code onStudy} about each. */
    public static List<GeneratedStudy> generate(PhantomOptions base, int count, long seed, Path out, int threads, Consumer<GeneratedStudy> onStudy)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<GeneratedStudy>> jobs = new ArrayList<>();
            for (int k = 0; k < count; k++) {
                int index = k;
                PhantomGenerator generator = new PhantomGenerator(base.withClassMix(ClassMix.parse(classOf(k).name())));
                jobs.add(pool.submit(() -> generator.generateStudy(seed, index, out)));
            }
            List<GeneratedStudy> studies = new ArrayList<>();
            for (Future<GeneratedStudy> job : jobs) {
                GeneratedStudy study = job.get();
                onStudy.accept(study);
                studies.add(study);
            }
            return studies;
        } finally {
            pool.shutdownNow();
        }
    }
}
