package org.lilnet.classifier;

import org.lilnet.common.blob.FileBlobStore;
import org.lilnet.common.config.CommonKeys;
import org.lilnet.common.config.Config;
import org.lilnet.common.kafka.RegistryAccess;
import org.lilnet.common.ops.Health;
import org.lilnet.common.ops.Service;
import org.lilnet.common.ops.ServiceContext;
import org.lilnet.common.topics.Topics;
import org.lilnet.events.SliceDetections;
import org.lilnet.inference.InferenceKeys;
import org.lilnet.inference.InferenceRuntime;
import org.lilnet.inference.InferenceSettings;
import org.lilnet.inference.ModelRole;
import org.lilnet.inference.NativeTempDirectory;
import org.lilnet.worker.TransactionalWorker;
import org.lilnet.worker.WorkerMetrics;
import org.lilnet.worker.WorkerSettings;

/** The classifier-worker: SliceDetections in, ChunkPredictions (keyed by case) out, exactly once, crops batched across chunks. */
public final class ClassifierService implements Service {

    private final ServiceContext context;
    private InferenceRuntime models;
    private TransactionalWorker<SliceDetections, CropUnit, CropLogits> worker;

    public ClassifierService(ServiceContext context) {
        this.context = context;
    }

    @Override
    public void start() throws Exception {
        Config config = context.config();
        NativeTempDirectory.use(config.get(InferenceKeys.TEMP_DIR));
        int cores = Runtime.getRuntime().availableProcessors();
        InferenceSettings inference = InferenceSettings.from(config);
        WorkerSettings configured = ClassifierConfig.WORKER.settings(config, context.instanceId());
        WorkerSettings settings = configured.withInferenceStreams(inference.streams(configured.inferenceStreams(), cores));
        models = InferenceRuntime.open(inference.sharedBy(settings.inferenceStreams(), cores), ModelRole.CLASSIFIERS);
        context.health().register("models", () -> Health.Check.up(models.session(ModelRole.BM).entry() + ", "
                + models.session(ModelRole.M).entry() + ", " + models.session(ModelRole.B).entry() + "; " + models.provider().describe()));
        ClassifierStage stage = new ClassifierStage(new FileBlobStore(config.get(CommonKeys.BLOB_STORE_DIR)), models.session(ModelRole.BM),
                models.session(ModelRole.M), models.session(ModelRole.B), context.instanceId());
        worker = new TransactionalWorker<>(Topics.DETECTIONS, stage, settings,
                config, RegistryAccess.from(config), new WorkerMetrics(context.metrics(), "crops"), context.health());
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
