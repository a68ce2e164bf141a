package dev.labprovisioner.template;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import java.util.List;
import java.util.Optional;

/**
 * A lab offered in the catalog, loaded from data: its text, the learner's steps (Markdown), the checkpoints
 * that judge them and the parameters of the objects it is made of. A second lab is a second YAML file.
 */
public record LabTemplate(
        String id,
        int version,
        String title,
        String description,
        Postgres postgres,
        List<Step> steps,
        List<CheckpointDefinition> checkpoints) {

    public LabTemplate {
        steps = steps == null ? List.of() : List.copyOf(steps);
        checkpoints = checkpoints == null ? List.of() : List.copyOf(checkpoints);
    }

    /**
     * The StatefulSet's parameters. {@code storageClassName}: the claims' StorageClass; absent, the cluster's default
     * (and on the sandbox, its node agent's volumes).
     */
    public record Postgres(String image, String storage, String cpuRequest, String memoryRequest,
                           String cpuLimit, String memoryLimit, int replicas, int runAsUser,
                           @Schema(nullable = true, description = "Null: the cluster's default StorageClass") String storageClassName) {
    }

    /** One thing the learner reads and does, in Markdown; {@code checkpoints} are the ids that judge it. */
    public record Step(String id, String title, String markdown, List<String> checkpoints) {
        public Step {
            checkpoints = checkpoints == null ? List.of() : List.copyOf(checkpoints);
        }
    }

    public Optional<CheckpointDefinition> checkpoint(String checkpointId) {
        return checkpoints.stream().filter(c -> c.id().equals(checkpointId)).findFirst();
    }

    public int maxScore() {
        return checkpoints.stream().mapToInt(CheckpointDefinition::points).sum();
    }

    public LabTemplate withImage(String image) {
        var p = postgres;
        return new LabTemplate(id, version, title, description,
                new Postgres(image, p.storage(), p.cpuRequest(), p.memoryRequest(), p.cpuLimit(), p.memoryLimit(), p.replicas(), p.runAsUser(),
                        p.storageClassName()),
                steps, checkpoints);
    }
}
