package org.lilnet.classifier;

import org.lilnet.common.ops.ServiceRunner;

/** {@code classifier-worker [--config FILE] [--describe-config]}. */
public final class ClassifierMain {

    private ClassifierMain() {
    }

    public static void main(String[] args) {
        ServiceRunner.run(args, ClassifierConfig.DEFINITION, ClassifierService::new);
    }
}
