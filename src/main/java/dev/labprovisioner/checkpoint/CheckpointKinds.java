package dev.labprovisioner.checkpoint;

import dev.labprovisioner.template.LabTemplateCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import java.util.HashMap;
import java.util.Map;

/** Every checkpoint kind, by the name lab definitions use; refuses a catalog naming a kind that does not exist. */
@ApplicationScoped
public class CheckpointKinds {

    private final Map<String, CheckpointKind> kinds = new HashMap<>();

    CheckpointKinds(Instance<CheckpointKind> all, LabTemplateCatalog catalog) {
        for (CheckpointKind kind : all) {
            if (kinds.put(kind.name(), kind) != null) {
                throw new IllegalStateException("Two checkpoint kinds are named " + kind.name());
            }
        }
        for (var template : catalog.all()) {
            for (var checkpoint : template.checkpoints()) {
                CheckpointKind kind = kinds.get(checkpoint.kind());
                if (kind == null) {
                    throw new IllegalStateException("Lab " + template.id() + ": checkpoint " + checkpoint.id() + " has unknown kind " + checkpoint.kind());
                }
                if (checkpoint.canAct() && !(kind instanceof CheckpointKind.Acting)) {
                    throw new IllegalStateException("Lab " + template.id() + ": checkpoint " + checkpoint.id() + " says it acts, but kind "
                            + checkpoint.kind() + " cannot");
                }
            }
        }
    }

    public CheckpointKind get(String name) {
        return kinds.get(name);
    }
}
