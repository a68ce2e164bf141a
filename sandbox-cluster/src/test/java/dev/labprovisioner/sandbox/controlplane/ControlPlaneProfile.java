package dev.labprovisioner.sandbox.controlplane;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The sandbox on upstream's control plane (etcd, kube-apiserver, kube-controller-manager v1.20.2, the node agent),
 * the service as its own ServiceAccount. Tests with this profile run where {@code sandbox-cluster/build-control-plane.sh}
 * has built the binaries, and are skipped elsewhere, unless {@code LABS_REQUIRE_TEST_TOOLS=true} (CI): then a missing
 * control plane fails the service's start, and so the tests.
 */
public class ControlPlaneProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("labs.sandbox.engine", "control-plane");
    }

    /** For {@code @EnabledIf}: the binaries are there, or they are required. */
    public static boolean runs() {
        return "true".equals(System.getenv("LABS_REQUIRE_TEST_TOOLS"))
                || ControlPlane.Binaries.find(Optional.ofNullable(System.getenv("LABS_SANDBOX_CONTROL_PLANE_BIN"))).isPresent();
    }

    /** The running control plane's files: {@code admin.kubeconfig}, {@code logs/audit.log}. */
    public static Path dir() {
        return Path.of("target/sandbox/control_plane/control-plane");
    }
}
