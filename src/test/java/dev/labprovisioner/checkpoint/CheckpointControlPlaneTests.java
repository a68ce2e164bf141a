package dev.labprovisioner.checkpoint;

import dev.labprovisioner.sandbox.controlplane.ControlPlaneProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Every checkpoint case of {@link CheckpointTests}, judged on upstream's StatefulSet controller and the node agent
 * instead of the imitation: the ordering, retention and identity the learner is taught are the real controller's.
 */
@QuarkusTest
@TestProfile(ControlPlaneProfile.class)
@EnabledIf("dev.labprovisioner.sandbox.controlplane.ControlPlaneProfile#runs")
class CheckpointControlPlaneTests extends CheckpointTests {
}
