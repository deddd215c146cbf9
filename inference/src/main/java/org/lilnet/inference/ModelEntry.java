package org.lilnet.inference;

import org.lilnet.events.ModelRef;

import java.nio.file.Path;
import java.util.List;

/**
 * One model of the manifest.
 *
 * @param role       its role in the pipeline
 * @param name       model name
 * @param version    model version
 * @param file       the ONNX file (resolved against the manifest's directory)
 * @param sha256     SHA-256 of the file as the manifest declares it, lower-case hex
 * @param input      the input the model takes
 * @param output     the output we read
 * @param labels     class labels in output order
 * @param sourceKind where the weights come from ({@code phantom-trained}, {@code lilnet-checkpoint}, ...)
 */
public record ModelEntry(ModelRole role, String name, String version, Path file, String sha256, TensorSpec input,
                         TensorSpec output, List<String> labels, String sourceKind) {

    public ModelEntry {
        labels = List.copyOf(labels);
    }

    /** What results record about the model that produced them. */
    public ModelRef ref() {
        return ModelRef.newBuilder().setRole(role.wireName()).setName(name).setVersion(version).setSha256(sha256).build();
    }

    @Override
    public String toString() {
        return role + " model " + name + " " + version + " (" + file.getFileName() + ")";
    }
}
