package org.lilnet.detector;

import org.lilnet.common.blob.FileBlobStore;
import org.lilnet.common.config.CommonKeys;
import org.lilnet.common.config.Config;
import org.lilnet.common.kafka.RegistryAccess;
import org.lilnet.common.ops.Health;
import org.lilnet.common.ops.Service;
import org.lilnet.common.ops.ServiceContext;
import org.lilnet.common.topics.Topics;
import org.lilnet.events.DetectTask;
import org.lilnet.inference.InferenceKeys;
import org.lilnet.inference.InferenceRuntime;
import org.lilnet.inference.InferenceSettings;
import org.lilnet.inference.ModelRole;
import org.lilnet.inference.NativeTempDirectory;
import org.lilnet.worker.TransactionalWorker;
import org.lilnet.worker.WorkerMetrics;
import org.lilnet.worker.WorkerSettings;

import java.util.EnumSet;

/** The detector-worker: DetectTask in, SliceDetections out, exactly once, batched across tasks. */
public final class DetectorService implements Service {

    private final ServiceContext context;
    private InferenceRuntime models;
    private TransactionalWorker<DetectTask, SliceUnit, java.util.List<Detection>> worker;

    public DetectorService(ServiceContext context) {
        this.context = context;
    }

    @Override
    public void start() throws Exception {
        Config config = context.config();
        NativeTempDirectory.use(config.get(InferenceKeys.TEMP_DIR));
        int cores = Runtime.getRuntime().availableProcessors();
        InferenceSettings inference = InferenceSettings.from(config);
        WorkerSettings configured = DetectorConfig.WORKER.settings(config, context.instanceId());
        WorkerSettings settings = configured.withInferenceStreams(inference.streams(configured.inferenceStreams(), cores));
        models = InferenceRuntime.open(inference.sharedBy(settings.inferenceStreams(), cores), EnumSet.of(ModelRole.DETECTOR));
        context.health().register("models", () -> Health.Check.up(models.session(ModelRole.DETECTOR).entry() + ", "
                + models.provider().describe()));
        WorkerMetrics metrics = new WorkerMetrics(context.metrics(), "slices");
        HuWindow window = new HuWindow(config.get(DetectorConfig.WINDOW_LEVEL), config.get(DetectorConfig.WINDOW_WIDTH));
        DetectorStage stage = new DetectorStage(new FileBlobStore(config.get(CommonKeys.BLOB_STORE_DIR)), window,
                models.session(ModelRole.DETECTOR), context.instanceId(), metrics.unitCounter("crops"));
        worker = new TransactionalWorker<>(Topics.DETECT_TASKS, stage, settings,
                config, RegistryAccess.from(config), metrics, context.health());
        worker.start();
    }

    @Override
    public void close() {
        if (worker != null) {
            worker.close();
        }
        if (models != null) {
            models.close();
        }
    }
}
