package org.lilnet.launcher;

import org.lilnet.aggregator.AggregatorConfig;
import org.lilnet.classifier.ClassifierConfig;
import org.lilnet.common.config.ConfigDefinition;
import org.lilnet.detector.DetectorConfig;
import org.lilnet.ingest.IngestConfig;

import java.util.List;

/** The services of the pipeline: how to start each one, and its configuration definition. */
public final class ServiceCatalog {

    private ServiceCatalog() {
    }

    /**
     * A service as a process.
     *
     * @param name          service name (module name, log prefix, docs section)
     * @param mainClass     its {@code main}
     * @param configuration its configuration keys
     * @param heap          -Xmx for a local run
     */
    public record ServiceEntry(String name, String mainClass, ConfigDefinition configuration, String heap) {
    }

    public static final ServiceEntry INGEST = new ServiceEntry("ingest-service", "org.lilnet.ingest.IngestMain", IngestConfig.DEFINITION, "384m");
    public static final ServiceEntry DETECTOR = new ServiceEntry("detector-worker", "org.lilnet.detector.DetectorMain", DetectorConfig.DEFINITION, "768m");
    public static final ServiceEntry CLASSIFIER = new ServiceEntry("classifier-worker", "org.lilnet.classifier.ClassifierMain", ClassifierConfig.DEFINITION, "768m");
    public static final ServiceEntry AGGREGATOR = new ServiceEntry("aggregator", "org.lilnet.aggregator.AggregatorMain", AggregatorConfig.DEFINITION, "384m");

    public static final List<ServiceEntry> ALL = List.of(INGEST, DETECTOR, CLASSIFIER, AGGREGATOR);
}
