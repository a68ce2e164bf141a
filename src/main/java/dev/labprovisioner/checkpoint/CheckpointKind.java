package dev.labprovisioner.checkpoint;

import dev.labprovisioner.template.CheckpointDefinition;

/**
 * One kind of check, named by the lab data's {@code kind}. Judges from the live cluster (informer caches),
 * the lab's timeline and the lab database: never from anything the learner can write in the namespace.
 */
public interface CheckpointKind {

    /** The {@code kind} it answers to in lab definitions. */
    String name();

    Verdict judge(LabEvidence lab, CheckpointDefinition checkpoint);

    /** Whether it reads the lab's database (through psql in a pod): such checks wait on that working. */
    default boolean readsLabData() {
        return false;
    }

    /** A check that can, on request, act on the lab first to prove its point (and never destroys data). */
    interface Acting extends CheckpointKind {
        /** Does what the checkpoint's {@code acts} text says, and returns once the lab has settled. */
        void act(LabEvidence lab, CheckpointDefinition checkpoint);
    }
}
