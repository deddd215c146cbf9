package org.lilnet.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The models a service runs: reads the manifest, checks each requested model (file hash, declared contract, graph,
 * a probe run) and opens one ONNX Runtime session per model, once. The execution provider is decided once, on the
 * first model, and logged in one line: CUDA when configured and loadable, otherwise the CPU with the reason.
 */
public final class InferenceRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InferenceRuntime.class);

    private final ModelManifest manifest;
    private final ProviderDecision provider;
    private final Map<ModelRole, ModelSession> sessions;

    private InferenceRuntime(ModelManifest manifest, ProviderDecision provider, Map<ModelRole, ModelSession> sessions) {
        this.manifest = manifest;
        this.provider = provider;
        this.sessions = sessions;
    }

    /** Opens the models of the given roles; refuses (naming every difference) when one does not fit. */
    public static InferenceRuntime open(InferenceSettings settings, Collection<ModelRole> roles) throws ModelContractException {
        ModelManifest manifest = ModelManifest.load(settings.manifest());
        List<String> problems = new ArrayList<>();
        List<ModelEntry> entries = new ArrayList<>();
        for (ModelRole role : roles) {
            manifest.entry(role).ifPresentOrElse(entry -> {
                List<String> found = new ArrayList<>(ModelContract.checkDeclared(entry));
                found.addAll(ModelContract.checkFile(entry));
                if (found.isEmpty()) {
                    entries.add(entry);
                }
                problems.addAll(found);
            }, () -> problems.add("no model with role '" + role + "' in the manifest"));
        }
        if (!problems.isEmpty()) {
            throw new ModelContractException("models of " + manifest.file() + " refused", problems);
        }

        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        Map<ModelRole, ModelSession> sessions = new EnumMap<>(ModelRole.class);
        ProviderDecision decision = null;
        try {
            for (ModelEntry entry : entries) {
                OrtSession session;
                if (decision == null) {
                    Opened first = openDeciding(environment, entry, settings);
                    decision = first.decision();
                    LOG.info(decision.describe());
                    session = first.session();
                } else {
                    session = openWith(environment, entry, settings, decision.provider());
                }
                ModelSession model = new ModelSession(environment, session, entry);
                sessions.put(entry.role(), model);
                problems.addAll(check(model));
            }
        } catch (OrtException e) {
            problems.add("ONNX Runtime cannot load a model: " + e.getMessage());
        }
        if (!problems.isEmpty()) {
            sessions.values().forEach(ModelSession::close);
            throw new ModelContractException("models of " + manifest.file() + " refused", problems);
        }
        return new InferenceRuntime(manifest, decision, sessions);
    }

    private static List<String> check(ModelSession model) throws OrtException {
        ModelEntry entry = model.entry();
        List<String> problems = ModelContract.checkGraph(entry, ModelSession.signature(model.session().getInputInfo()),
                ModelSession.signature(model.session().getOutputInfo()));
        if (problems.isEmpty()) {
            int batch = model.fixedBatch() > 0 ? model.fixedBatch() : 2;
            try {
                problems = ModelContract.checkProbe(entry, batch, model.probe(batch));
            } catch (OrtException e) {
                problems = List.of(entry + ": a probe run with " + batch + " image(s) of the declared input failed: " + e.getMessage());
            }
        }
        return problems;
    }

    private record Opened(OrtSession session, ProviderDecision decision) {
    }

    private static Opened openDeciding(OrtEnvironment environment, ModelEntry entry, InferenceSettings settings) throws OrtException {
        if (settings.provider() == ExecutionProvider.CPU) {
            return new Opened(openWith(environment, entry, settings, ExecutionProvider.CPU),
                    new ProviderDecision(ExecutionProvider.CPU, "configured (" + InferenceKeys.EXECUTION_PROVIDER.name() + "=cpu)"));
        }
        try {
            OrtSession session = openWith(environment, entry, settings, ExecutionProvider.CUDA);
            return new Opened(session, new ProviderDecision(ExecutionProvider.CUDA,
                    "configured (" + InferenceKeys.EXECUTION_PROVIDER.name() + "=cuda), device " + settings.cudaDevice()));
        } catch (OrtException | RuntimeException | LinkageError e) {
            // the CPU build, or a GPU build without CUDA 12 / cuDNN 9: addCUDA throws, there is no automatic fallback
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new Opened(openWith(environment, entry, settings, ExecutionProvider.CPU),
                    new ProviderDecision(ExecutionProvider.CPU, InferenceKeys.EXECUTION_PROVIDER.name()
                            + "=cuda but CUDA cannot be loaded (" + why.strip() + "); running on the CPU"));
        }
    }

    private static OrtSession openWith(OrtEnvironment environment, ModelEntry entry, InferenceSettings settings, ExecutionProvider provider)
            throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setInterOpNumThreads(1);
            if (settings.intraOpThreads() > 0) {
                options.setIntraOpNumThreads(settings.intraOpThreads());
            }
            // idle threads sleep instead of spinning: the worker's own threads (decoding, Kafka) need the cores between runs
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            if (provider == ExecutionProvider.CUDA) {
                options.addCUDA(settings.cudaDevice());
            }
            return environment.createSession(entry.file().toString(), options);
        }
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public ProviderDecision provider() {
        return provider;
    }

    /** The session of a role that was opened. */
    public ModelSession session(ModelRole role) {
        ModelSession session = sessions.get(role);
        if (session == null) {
            throw new IllegalArgumentException("no " + role + " model was opened (opened: " + sessions.keySet() + ")");
        }
        return session;
    }

    @Override
    public void close() {
        sessions.values().forEach(ModelSession::close);
    }
}
